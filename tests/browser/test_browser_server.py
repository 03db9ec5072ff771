"""The browser tests' own server closes every response, even one the browser drops.

Werkzeug's development server calls ``close()`` on a response only after draining the
socket, and a connection reset while it drains skips the call: the static file behind the
response stays open and a ``ResourceWarning`` for ``ck.css`` failed a clean-clone run.
"""

from __future__ import annotations

import socket
import time

from browser_support import LOOPBACK, serving

RESET_ON_CLOSE = b"\x01\x00\x00\x00\x00\x00\x00\x00"  # SO_LINGER on, 0 s: close sends a reset


class _Body:
    """A ten-byte body that lingers after its bytes (time for the client to reset) and
    remembers whether it was closed."""

    def __init__(self):
        self.closed = False

    def __iter__(self):
        yield b"body { }\r\n"
        time.sleep(0.3)

    def close(self) -> None:
        self.closed = True


def test_a_request_the_browser_drops_still_closes_its_response():
    bodies = []

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/css"), ("Content-Length", "10")])
        bodies.append(_Body())
        return bodies[-1]

    with serving(app, "closing test server") as url:
        port = int(url.rsplit(":", 1)[1])
        client = socket.create_connection((LOOPBACK, port), timeout=10)
        client.sendall(b"GET /static/ck.css HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        client.recv(1)  # the page moves on as soon as the stylesheet starts to arrive
        client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, RESET_ON_CLOSE)
        client.close()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not (bodies and bodies[0].closed):
            time.sleep(0.05)
    assert len(bodies) == 1
    assert bodies[0].closed, "the dropped response was never closed (its file would leak)"
