"""Who may open which page of the researchers' area: the rule each view declares.

A view says :func:`login_required` (with the least role, and whether the role
in a project or a survey's project counts) or :func:`public`. The check runs
before every request, in :func:`consent_kit.studio.auth._guard`; a /studio view
without a rule is refused, and tests/test_route_rules.py fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

PREFIX = "/studio"


@dataclass(frozen=True)
class Rule:
    """Who may open a page.

    ``role``: ``"public"`` (anyone), or the least role needed: ``"viewer"``
    (anyone signed in), ``"researcher"`` or ``"admin"``. ``scope``: ``None``
    (the account's role counts), ``"project"`` (the URL has ``project_id``;
    the role in that project counts, and someone outside it gets "not found")
    or ``"survey"`` (the URL has ``survey_id``; the role in the survey's
    project counts).
    """

    role: str
    scope: str | None = None

    def __str__(self) -> str:
        return self.role + (f" in the {self.scope}" if self.scope else "")


def login_required(role: str = "viewer", scope: str | None = None) -> Callable:
    """Declare that a view needs a signed-in account with at least ``role`` (see :class:`Rule`).

    The check itself runs before every request in :func:`_guard`.
    """
    if role not in ("viewer", "researcher", "admin") or scope not in (None, "project", "survey"):
        raise ValueError(f"unknown rule: {role!r}, {scope!r}")

    def declare(view):
        view.studio_rule = Rule(role, scope)
        return view

    return declare


def public(view):
    """Declare that anyone may open a view (sign in, first admin)."""
    view.studio_rule = Rule("public")
    return view


def rule_for(app: Flask, endpoint: str) -> Rule | None:
    """The rule of an endpoint, or ``None`` when it declares none."""
    return getattr(app.view_functions.get(endpoint), "studio_rule", None)


def studio_endpoints(app: Flask) -> dict[str, list]:
    """Every endpoint with a URL under /studio, with its URL rules."""
    found: dict[str, list] = {}
    for url_rule in app.url_map.iter_rules():
        if url_rule.rule == PREFIX or url_rule.rule.startswith(PREFIX + "/"):
            found.setdefault(url_rule.endpoint, []).append(url_rule)
    return found


def ensure_rules(app: Flask) -> list[str]:
    """The /studio endpoints that declare no rule (empty when every page has one)."""
    return sorted(e for e in studio_endpoints(app) if rule_for(app, e) is None)

