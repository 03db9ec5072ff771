"""Fixtures for the store tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from consent_kit.store import EmbeddedStore


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder that does not exist yet (the store must create it)."""
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path):
    """An EmbeddedStore over a fresh data folder."""
    with EmbeddedStore(data_dir) as s:
        yield s
