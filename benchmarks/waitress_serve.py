"""Serve an app with waitress the way ``consent-kit serve`` does, for the waitress rows.

Usage: ``python benchmarks/waitress_serve.py PORT hello|floor|consent-kit``.
``consent-kit`` builds the app with ``create_app()`` from ``$CONSENT_KIT_INSTANCE``.

The server is ``consent_kit.cli.running.waitress_server``, the one ``serve`` and ``demo``
run: 8 threads, ``connection_limit=1000``, ``channel_timeout=60`` and the
``waitress.queue`` logger silenced (it logs one line per queued request under load).
"""

from __future__ import annotations

import sys
from pathlib import Path

from consent_kit.cli.running import listening_sockets, waitress_server


def load_app(name: str):
    """The WSGI app called ``name``: the hello baseline, the submission floor or consent-kit."""
    if name in ("hello", "floor"):
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import importlib

        return importlib.import_module(name).app
    from consent_kit import create_app

    return create_app()


def main() -> None:
    """Serve on 127.0.0.1 only, until SIGTERM."""
    port, name = int(sys.argv[1]), sys.argv[2]
    app = load_app(name)
    waitress_server(app, listening_sockets("127.0.0.1", port), threads=8).run()


if __name__ == "__main__":
    main()
