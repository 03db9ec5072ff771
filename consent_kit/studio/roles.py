"""Roles and projects: who may do what, in which project (pure logic, no Flask, no storage).

Three roles, from least to most: ``viewer``, ``researcher``, ``admin`` (see
:mod:`consent_kit.studio.accounts`, which keeps the accounts and projects).
What a member may do in a project is the lower of their role there and their
account's role; an admin may do everything everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l  # shown in the reader's language, when shown

if TYPE_CHECKING:
    from consent_kit.studio.accounts import User

#: Roles from least to most.
ROLES = ("viewer", "researcher", "admin")
#: Roles a member can have inside a project (admins see every project anyway).
PROJECT_ROLES = ("viewer", "researcher")
ROLE_WORDS = {
    "viewer": _l("Viewer: sees the results of their projects"),
    "researcher": _l("Researcher: designs and runs the surveys of their projects"),
    "admin": _l("Admin: manages accounts and every project"),
}

PROJECT_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Words the project pages use in their own addresses.
RESERVED_PROJECT_IDS = {"new"}


@dataclass(frozen=True)
class Project:
    """A group of surveys and the people who work on them."""

    id: str
    name: str
    #: username -> role in this project ("researcher" or "viewer").
    members: dict = field(default_factory=dict, compare=False)
    created_at: str = ""

    def role_of(self, username: str) -> str | None:
        return self.members.get(username)

    @classmethod
    def from_doc(cls, doc: dict) -> Project:
        return cls(id=doc["id"], name=doc["name"], members=dict(doc.get("members") or {}),
                   created_at=doc.get("created_at", ""))


def role_at_least(role: str | None, needed: str) -> bool:
    """True when ``role`` may do what ``needed`` may (``None``: no role at all)."""
    if role not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(needed)


def lower_role(first: str, second: str) -> str:
    """The lesser of two roles."""
    return min(first, second, key=ROLES.index)


def role_in_project(user: User, project: Project) -> str | None:
    """What ``user`` may do in ``project``: a role, or ``None`` when they are not in it."""
    if user.disabled:
        return None
    if user.role == "admin":
        return "admin"
    member = project.role_of(user.username)
    if member not in ROLES:
        return None
    return lower_role(user.role, member)


def project_id_from_name(name: str) -> str:
    """A web-address-friendly id from a project name: "Youth Voice 2026" → "youth-voice-2026"."""
    words = re.findall(r"[a-z0-9]+", (name or "").casefold())
    return "-".join(words)[:60].strip("-")


def project_problem(name: str, project_id: str) -> tuple[str, str] | None:
    """``(field, message)`` when this project name or id can't be used, else ``None``."""
    if not (name or "").strip():
        return "name", _l("Enter a name for the project.")
    if len(name) > 120:
        return "name", _l("Use a project name of 120 characters or fewer.")
    if not project_id or not PROJECT_ID.match(project_id):
        return "project_id", _l("Use only small letters, numbers and dashes in the short name, "
                                "like 'youth-voice'.")
    if project_id in RESERVED_PROJECT_IDS:
        return "project_id", _l("'%(id)s' can't be used as a short name. Choose another one.",
                                id=project_id)
    return None
