"""Findings shared back with the people who took part ("What we found"), as a built-in plugin.

See :mod:`consent_kit.findings.plugin` for its hooks and docs/findings.md.
"""
