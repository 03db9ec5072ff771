"""Behind a load balancer: ``trusted_proxies = N`` lets the rate limits see the visitor's address.

Without it every visitor has the balancer's address and X-Forwarded-For is
ignored (anyone can send that header); with it, the address the proxy added is
the one counted. Checked on the per-address limit on pressing Start.
"""

from __future__ import annotations

import re

import pytest
from serverutil import QUICK_SURVEY

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def press_start(app, forwarded_for: str) -> int:
    """A new browser presses Start, coming through a proxy that says it is ``forwarded_for``."""
    client = app.test_client()
    page = client.get("/s/quick").get_data(as_text=True)
    token = _CSRF.search(page).group(1)
    reply = client.post("/s/quick/start", data={"csrf_token": token},
                        headers={"X-Forwarded-For": forwarded_for})
    return reply.status_code


@pytest.fixture
def app_behind(make_app):
    def build(proxies: int):
        return make_app(forms={"quick.yaml": QUICK_SURVEY}, examples=False,
                        config={"TRUSTED_PROXIES": proxies, "STARTS_PER_MINUTE": 2})
    return build


def test_without_trusted_proxies_the_header_is_ignored(app_behind):
    app = app_behind(0)
    statuses = [press_start(app, address) for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3")]
    assert statuses == [302, 302, 429]  # all three are the proxy's one address


def test_with_trusted_proxies_each_visitor_is_counted_on_their_own(app_behind):
    app = app_behind(1)
    others = [press_start(app, address) for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3")]
    assert others == [302, 302, 302]
    same = [press_start(app, "198.51.100.7") for _ in range(3)]
    assert same == [302, 302, 429]
