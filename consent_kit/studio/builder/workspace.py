"""Where the builder keeps its work: drafts, published versions, approvals.

* A **draft** is the definition being edited (one per survey), in the
  instance's ``builder_drafts`` table. Participants never see it.
* **Publishing** writes the draft as the survey file in the instance's forms/
  folder (atomically: people see the old file or the new one, never half of
  one), where the catalog loads it, and records the version: who, when. With
  several servers on one database the file goes into the store first
  (``store.media()``, under ``forms/``), and every server's catalog copies it
  into its own forms/ folder when it next looks (:class:`MediaMirror`).
* An **approval** records that a second member of the project approved one
  version (by its content version), who and when. A project can require one
  before a version goes live.

No Flask here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from consent_kit.clock import utc_now
from consent_kit.store import Store
from consent_kit.store.media import MediaMirror
from consent_kit.studio.builder.checks import content_version
from consent_kit.studio.builder.texts import to_yaml
from consent_kit.survey.load.survey_file import survey_version

DRAFTS, VERSIONS, APPROVALS, PROJECTS = ("builder_drafts", "builder_versions",
                                         "builder_approvals", "builder_projects")
#: Surveys whose researchers said they don't need people's consent, and why.
NO_CONSENT = "builder_no_consent"
#: Where survey files and their pictures are kept in a shared store's media.
FORMS_PREFIX = "forms/"


def revision(definition: dict) -> str:
    """A short hash of a draft exactly as it is: forms send it back, so a change made
    by someone else in the meantime is noticed instead of overwritten."""
    return survey_version(definition)


@dataclass
class Workspace:
    """The builder's records in one instance (``store``) and its survey files (``forms``)."""

    store: Store
    forms: Path
    now: Callable[[], str] = field(default=utc_now)
    #: The forms folder kept in line with a shared store (on one server: just the folder).
    mirror: MediaMirror = field(init=False)

    def __post_init__(self) -> None:
        self.mirror = MediaMirror(self.store, FORMS_PREFIX, self.forms)

    # -- drafts ----------------------------------------------------------------------

    def draft(self, survey_id: str) -> dict | None:
        """The draft record (``definition``, ``updated_by``, ``updated_at``), or None."""
        return self.store.documents(DRAFTS).get(survey_id=survey_id)

    def save_draft(self, survey_id: str, definition: dict, by: str) -> None:
        """Keep ``definition`` as the survey's draft."""
        self.store.documents(DRAFTS).put(
            {"survey_id": survey_id, "definition": definition, "updated_by": by,
             "updated_at": self.now()}, survey_id=survey_id)

    def discard_draft(self, survey_id: str) -> None:
        """Forget the draft (the published survey, if any, stays as it is)."""
        self.store.documents(DRAFTS).remove(survey_id=survey_id)

    def draft_ids(self) -> set[str]:
        """The ids of every survey with a draft (some may never have been published)."""
        return {d["survey_id"] for d in self.store.documents(DRAFTS).find()}

    def has_draft_or_file(self, survey_id: str) -> bool:
        """True when the id is used by a draft or a file here (so a new survey can't take it)."""
        return self.draft(survey_id) is not None or any(
            self.forms.glob(f"{survey_id}.y*ml"))

    # -- publishing ------------------------------------------------------------------

    def file_for(self, survey_id: str, source: str = "") -> Path:
        """The survey's file: the one it was loaded from if that is in forms/, else ``<id>.yaml``."""
        if source:
            path = Path(source)
            if path.parent.resolve() == self.forms.resolve() and path.suffix in (".yaml",
                                                                                 ".yml"):
                return path
        for suffix in (".yaml", ".yml"):  # a file that couldn't be loaded keeps its name
            if (self.forms / f"{survey_id}{suffix}").is_file():
                return self.forms / f"{survey_id}{suffix}"
        return self.forms / f"{survey_id}.yaml"

    def write_file(self, path: Path, definition: dict) -> None:
        """Write a survey file so that readers see the old or the new one, never a mix."""
        relative = path.resolve().relative_to(self.forms.resolve()).as_posix()
        self.mirror.write(relative, to_yaml(definition).encode("utf-8"), what="the survey file")

    def publish(self, survey_id: str, definition: dict, by: str, path: Path) -> dict:
        """Make ``definition`` the live survey, record the version, and end the draft."""
        self.write_file(path, definition)
        record = {"survey_id": survey_id, "version": content_version(definition),
                  "published_by": by, "published_at": self.now(), "definition": definition}
        self.store.documents(VERSIONS).insert(record)
        self.discard_draft(survey_id)
        return record

    def versions(self, survey_id: str) -> list[dict]:
        """Every published version of a survey, newest first."""
        return self.store.documents(VERSIONS).find(survey_id=survey_id)[::-1]

    # -- approvals -------------------------------------------------------------------

    def approve(self, survey_id: str, version: str, by: str) -> dict:
        """Record that ``by`` approved this content version."""
        record = {"survey_id": survey_id, "version": version, "approved_by": by,
                  "approved_at": self.now()}
        self.store.documents(APPROVALS).insert(record)
        return record

    def approvals(self, survey_id: str) -> list[dict]:
        """Every approval of a survey's versions, newest first."""
        return self.store.documents(APPROVALS).find(survey_id=survey_id)[::-1]

    def approval_for(self, survey_id: str, version: str, *, not_by: str = "") -> dict | None:
        """An approval of exactly this version by someone other than ``not_by``, or None."""
        return next((a for a in self.approvals(survey_id)
                     if a["version"] == version and a["approved_by"] != not_by), None)

    def requires_approval(self, project_id: str) -> bool:
        """True when the project needs a second member's approval before a version goes live."""
        if not project_id:
            return False
        doc = self.store.documents(PROJECTS).get(project_id=project_id)
        return bool(doc and doc.get("require_approval"))

    def set_requires_approval(self, project_id: str, required: bool) -> None:
        """Turn the project's approval rule on or off."""
        self.store.documents(PROJECTS).put({"project_id": project_id,
                                            "require_approval": bool(required)},
                                           project_id=project_id)

    # -- surveys that don't need consent ---------------------------------------------------

    def no_consent(self, survey_id: str) -> dict | None:
        """Why this survey doesn't need consent (``reason``, ``by``, ``at``), or None."""
        return self.store.documents(NO_CONSENT).get(survey_id=survey_id)

    def set_no_consent(self, survey_id: str, reason: str, by: str) -> None:
        """Record that the survey doesn't need consent (empty ``reason``: it does after all)."""
        if not reason.strip():
            self.store.documents(NO_CONSENT).remove(survey_id=survey_id)
            return
        self.store.documents(NO_CONSENT).put(
            {"survey_id": survey_id, "reason": reason.strip(), "by": by, "at": self.now()},
            survey_id=survey_id)
