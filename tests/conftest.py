"""Shared fixtures: the same ones a plugin author gets from consent_kit.testing."""

pytest_plugins = ["consent_kit.testing"]
