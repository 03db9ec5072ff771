"""Researcher accounts and projects: who may sign in, with which role, to which project.

Pure logic and storage, no Flask. Three roles, from least to most:

* ``viewer`` sees the results of the projects they belong to;
* ``researcher`` also designs and runs the surveys of those projects;
* ``admin`` manages accounts and sees every project.

A project groups surveys and people. Each member has a role in the project;
what they may do there is the lower of that and their account's role (an
admin may do everything everywhere). Survey files don't name their project:
an admin assigns each survey to one project (the ``project_surveys`` table).

The rules for passwords and usernames, and the hashes kept, are in
:mod:`consent_kit.studio.passwords`.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l  # shown in the reader's language, when shown

from consent_kit.clock import utc_now
from consent_kit.studio.passwords import (  # noqa: F401 - HASHER and MIN_LENGTH are part of this module's API too
    HASHER,
    MAX_LENGTH,
    MIN_LENGTH,
    hash_password,
    normalise_username,
    password_problem,
    username_problem,
    verify_password,
    waste_time_like_verify,
)
from consent_kit.studio.roles import (  # noqa: F401 - part of this module's API too
    PROJECT_ID,
    PROJECT_ROLES,
    RESERVED_PROJECT_IDS,
    ROLE_WORDS,
    ROLES,
    Project,
    lower_role,
    project_id_from_name,
    project_problem,
    role_at_least,
    role_in_project,
)

if TYPE_CHECKING:
    from consent_kit.store import Store

class AccountError(ValueError):
    """A change that can't be made; ``str(error)`` says why in plain words.

    ``field`` names the form field it is about, for the error summary.
    """

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class User:
    """A researcher's account. ``username`` is always lower case."""

    username: str
    role: str
    password_hash: str = field(repr=False)
    created_at: str = ""
    disabled: bool = False
    #: Hashes of the ids of the sessions signed in now, with the time each signed in.
    sessions: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" and not self.disabled

    @classmethod
    def from_doc(cls, doc: dict) -> User:
        return cls(username=doc["username"], role=doc["role"], password_hash=doc["password_hash"],
                   created_at=doc.get("created_at", ""), disabled=bool(doc.get("disabled")),
                   sessions=dict(doc.get("sessions") or {}))


def session_key(session_id: str) -> str:
    """What is kept of a session id: its SHA-256 (the id itself is only in the cookie)."""
    return hashlib.sha256(session_id.encode()).hexdigest()


# -- storage ----------------------------------------------------------------------


class Accounts:
    """Users, projects and which project each survey belongs to, in the store's tables.

    Each method is one or two locked table operations, safe across processes.
    """

    #: How many signed-in sessions one account keeps at most (oldest dropped first).
    MAX_SESSIONS = 20

    def __init__(self, store: Store):
        self.users_table = store.documents("users")
        self.projects_table = store.documents("projects")
        self.assignments = store.documents("project_surveys")

    # users

    def users(self) -> list[User]:
        """Every account, by username."""
        return sorted((User.from_doc(d) for d in self.users_table.find()), key=lambda u: u.username)

    def get_user(self, username: str) -> User | None:
        """The account with this username (any case), or ``None``."""
        name = normalise_username(username)
        if not name:
            return None
        doc = self.users_table.get(username=name)
        return User.from_doc(doc) if doc else None

    def has_admin(self) -> bool:
        """True once there is an admin account that isn't turned off."""
        return self.users_table.count(role="admin", disabled=False) > 0

    def create_user(self, username: str, role: str, password: str) -> User:
        """Make an account; raise :class:`AccountError` saying what to change."""
        problem = username_problem(username)
        if problem:
            raise AccountError(problem, "username")
        name = normalise_username(username)
        if role not in ROLES:
            raise AccountError(_l("Choose a role: viewer, researcher or admin."), "role")
        problem = password_problem(password, name)
        if problem:
            raise AccountError(problem, "password")
        if self.get_user(name) is not None:
            raise AccountError(f"There is already an account called '{name}'. Choose another "
                               "username.", "username")
        marker = secrets.token_hex(16)
        self.users_table.insert({"username": name, "role": role,
                                 "password_hash": hash_password(password),
                                 "created_at": utc_now(), "disabled": False, "sessions": {},
                                 "marker": marker})
        # Two people making the same name at the same moment: the first one stored wins.
        same = self.users_table.find(username=name)  # oldest first
        if len(same) > 1 and same[0]["marker"] != marker:
            self.users_table.remove(username=name, marker=marker)
            raise AccountError(f"There is already an account called '{name}'. Choose another "
                               "username.", "username")
        return self.get_user(name)

    def check_login(self, username: str, password: str) -> User | None:
        """The account when ``password`` is right, else ``None`` (same time either way).

        Upgrades the stored hash when it was made with older settings.
        """
        user = self.get_user(username)
        if user is None or len(password) > MAX_LENGTH:
            waste_time_like_verify(password[:MAX_LENGTH])
            return None
        matches, new_hash = verify_password(user.password_hash, password)
        if not matches:
            return None
        if new_hash:
            self._set(user.username, {"password_hash": new_hash})
        return user

    def set_password(self, username: str, password: str) -> User:
        """Give an account a new password and sign it out everywhere."""
        problem = password_problem(password, normalise_username(username))
        if problem:
            raise AccountError(problem, "password")
        self._set(username, {"password_hash": hash_password(password), "sessions": {}})
        return self.get_user(username)

    def set_role(self, username: str, role: str) -> User:
        """Change what an account may do; the last admin can't stop being one."""
        if role not in ROLES:
            raise AccountError(_l("Choose a role: viewer, researcher or admin."), "role")
        user = self._need(username)
        if user.role == "admin" and role != "admin" and self._is_last_admin(user):
            raise AccountError(_l("This is the only admin account, so it has to stay an admin. "
                                  "Make someone else an admin first."), "role")
        self._set(username, {"role": role})
        return self.get_user(username)

    def set_disabled(self, username: str, disabled: bool) -> User:
        """Turn an account off (signed out everywhere, can't sign in) or back on."""
        user = self._need(username)
        if disabled and user.role == "admin" and self._is_last_admin(user):
            raise AccountError(_l("This is the only admin account, so it can't be turned off."),
                               "disabled")
        self._set(username, {"disabled": disabled, **({"sessions": {}} if disabled else {})})
        return self.get_user(username)

    def _is_last_admin(self, user: User) -> bool:
        return not any(u.is_admin for u in self.users() if u.username != user.username)

    def _need(self, username: str) -> User:
        user = self.get_user(username)
        if user is None:
            raise AccountError(_l("There is no account with that username."), "username")
        return user

    def _set(self, username: str, fields: dict) -> None:
        self.users_table.update(fields, username=normalise_username(username))

    # sessions

    def add_session(self, username: str, session_id: str, now: float, max_age: float) -> None:
        """Remember a new signed-in session (dropping ones past ``max_age`` seconds)."""
        key = session_key(session_id)

        def add(doc: dict) -> None:
            kept = {k: t for k, t in (doc.get("sessions") or {}).items() if now - t < max_age}
            kept[key] = now
            newest = sorted(kept.items(), key=lambda item: item[1])[-self.MAX_SESSIONS:]
            doc["sessions"] = dict(newest)

        # A function as the update: read, change and write under one lock.
        self.users_table.modify(add, username=normalise_username(username))

    def has_session(self, user: User, session_id: str) -> bool:
        """True when this session id is one the account signed in with and hasn't ended."""
        key = session_key(session_id)
        return any(secrets.compare_digest(key, known) for known in user.sessions)

    def end_session(self, username: str, session_id: str) -> None:
        """Forget one signed-in session (signing out)."""
        key = session_key(session_id)

        def remove(doc: dict) -> None:
            doc["sessions"] = {k: t for k, t in (doc.get("sessions") or {}).items() if k != key}

        self.users_table.modify(remove, username=normalise_username(username))

    def end_all_sessions(self, username: str) -> None:
        """Sign an account out everywhere."""
        self._set(username, {"sessions": {}})

    # projects

    def projects(self) -> list[Project]:
        """Every project, by name."""
        docs = self.projects_table.find()
        return sorted((Project.from_doc(d) for d in docs), key=lambda p: p.name.casefold())

    def get_project(self, project_id: str) -> Project | None:
        doc = self.projects_table.get(id=project_id)
        return Project.from_doc(doc) if doc else None

    def projects_for(self, user: User) -> list[tuple[Project, str]]:
        """The projects ``user`` may see, each with what they may do there."""
        found = []
        for project in self.projects():
            role = role_in_project(user, project)
            if role:
                found.append((project, role))
        return found

    def create_project(self, name: str, project_id: str = "") -> Project:
        """Make a project; the id comes from the name unless given."""
        name = (name or "").strip()
        project_id = (project_id or "").strip().casefold() or project_id_from_name(name)
        problem = project_problem(name, project_id)
        if problem:
            raise AccountError(problem[1], problem[0])
        if self.get_project(project_id) is not None:
            raise AccountError(_l("There is already a project with the short name '%(id)s'. "
                                  "Choose another one.", id=project_id), "project_id")
        marker = secrets.token_hex(16)
        self.projects_table.insert({"id": project_id, "name": name, "members": {},
                                    "created_at": utc_now(), "marker": marker})
        same = self.projects_table.find(id=project_id)  # oldest first
        if len(same) > 1 and same[0]["marker"] != marker:
            self.projects_table.remove(id=project_id, marker=marker)
            raise AccountError(_l("There is already a project with the short name '%(id)s'. "
                                  "Choose another one.", id=project_id), "project_id")
        return self.get_project(project_id)

    def set_member(self, project_id: str, username: str, role: str) -> Project:
        """Add someone to a project, or change their role in it."""
        if role not in PROJECT_ROLES:
            raise AccountError(_l("Choose what they can do in the project: researcher or viewer."),
                               "member_role")
        user = self.get_user(username)
        if user is None:
            raise AccountError(_l("There is no account with that username."), "member")
        if self.get_project(project_id) is None:
            raise AccountError(_l("There is no project with that short name."), "project")

        def add(doc: dict) -> None:
            doc["members"] = {**(doc.get("members") or {}), user.username: role}

        self.projects_table.modify(add, id=project_id)
        return self.get_project(project_id)

    def remove_member(self, project_id: str, username: str) -> Project | None:
        """Take someone out of a project."""
        name = normalise_username(username)

        def remove(doc: dict) -> None:
            doc["members"] = {k: v for k, v in (doc.get("members") or {}).items() if k != name}

        self.projects_table.modify(remove, id=project_id)
        return self.get_project(project_id)

    # which project each survey belongs to

    def survey_project(self, survey_id: str) -> str | None:
        """The id of the project a survey belongs to, or ``None``."""
        doc = self.assignments.get(survey_id=survey_id)
        return doc["project_id"] if doc else None

    def survey_projects(self) -> dict[str, str]:
        """Every survey id that belongs to a project, with its project id."""
        return {d["survey_id"]: d["project_id"] for d in self.assignments.find()}

    def surveys_of(self, project_id: str) -> list[str]:
        """The ids of the surveys of a project, sorted."""
        return sorted(d["survey_id"] for d in self.assignments.find(project_id=project_id))

    def assign_survey(self, survey_id: str, project_id: str | None) -> None:
        """Put a survey in a project (``None``: in no project)."""
        if not project_id:
            self.assignments.remove(survey_id=survey_id)
            return
        if self.get_project(project_id) is None:
            raise AccountError(_l("There is no project with that short name."), "project")
        self.assignments.put({"survey_id": survey_id, "project_id": project_id},
                             survey_id=survey_id)
