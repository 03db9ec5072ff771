"""consent-kit's built-in plugins, installed as ``consent_kit_plugins``.

Each folder is one plugin, written exactly as a third-party plugin would be:
it imports only the public API in ``consent_kit``.
"""
