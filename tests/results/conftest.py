"""The studio of :func:`consent_kit.testing.populate`, for the results pages' tests.

ola is the researcher of project beta (event-feedback); vic is made its viewer here.
"""

from __future__ import annotations

import pytest

from consent_kit.testing import populate


@pytest.fixture
def app(make_app):
    app = make_app()
    populate(app)
    app.extensions["consent_kit_studio"].accounts.set_member("beta", "vic", "viewer")
    return app


@pytest.fixture
def store(app):
    return app.extensions["consent_kit"].store
