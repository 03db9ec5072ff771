"""``python -m consent_kit.cli``: the ``consent-kit`` command."""

from consent_kit.cli import main

main()
