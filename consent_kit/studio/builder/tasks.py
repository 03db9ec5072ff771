"""A survey's task list (the GOV.UK Forms pattern): each part, with how far along it is.

The core's tasks are worked out here from the survey and what the check
before publishing finds; plugins add their own through the ``survey_tasks``
hook (:func:`consent_kit.plugin_calls.survey_tasks`). Statuses are
:class:`~consent_kit.plugin_calls.StudioTask` constants; titles are marked
with ``_l`` and translated where they are shown. No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass

from consent_kit.plugin_calls import StudioTask
from consent_kit.studio.builder.ops import _l
from consent_kit.studio.builder.publish_checks import Finding
from consent_kit.studio.builder.starter import placeholders_in


@dataclass(frozen=True)
class CoreTask:
    """One of the core's tasks: untranslated ``title``, where it opens, and its status."""

    title: str
    endpoint: str
    anchor: str
    status: str


@dataclass(frozen=True)
class SurveyState:
    """What the task statuses depend on."""

    definition: dict
    asks_questions: bool
    loader_problems: bool
    blocks: tuple[Finding, ...]
    consent_reason: str
    published: bool
    unpublished_changes: bool
    needs_approval: bool
    approved: bool
    #: Whether thank-you payments can be offered here (the incentives plugin is on).
    offers_payments: bool = True


def core_tasks(state: SurveyState) -> list[CoreTask]:
    """The core's tasks for one survey, in the order people usually do them."""
    parts = {f.part for f in state.blocks}
    tasks = [
        CoreTask(_l("Questions and pages"), "builder.overview", "#pages",
                 StudioTask.NEEDS_ATTENTION if state.loader_problems or "question" in parts
                 else StudioTask.DONE if state.asks_questions else StudioTask.NOT_STARTED),
        CoreTask(_l("Information and consent"), "builder.overview", "#consent",
                 _consent_status(state, parts)),
        CoreTask(_l("Support and leaving safely"), "builder.support", "",
                 StudioTask.NEEDS_ATTENTION if "support" in parts else StudioTask.DONE),
    ]
    if state.offers_payments:
        tasks.append(CoreTask(_l("Thank-you payments"), "builder.thank_you", "",
                              StudioTask.NEEDS_ATTENTION if "incentive" in parts
                              else StudioTask.DONE if isinstance(
                                  state.definition.get("incentive"), dict)
                              else StudioTask.NOT_STARTED))
    tasks.append(CoreTask(_l("Languages"), "builder.languages", "",
                          StudioTask.IN_PROGRESS if has_translations(state.definition)
                          else StudioTask.NOT_STARTED))
    tasks.append(CoreTask(_l("Easy Read, pictures and sign language"), "builder.easy_read", "",
                          _easy_read_status(state.definition)))
    if state.needs_approval:
        tasks.append(CoreTask(_l("Who checks it"), "builder.overview", "#approve",
                              StudioTask.DONE if state.approved or not state.unpublished_changes
                              else StudioTask.IN_PROGRESS))
    tasks.append(CoreTask(_l("Publish"), "builder.publish", "", _publish_status(state)))
    return tasks


def _consent_status(state: SurveyState, parts: set[str]) -> str:
    if "consent" in parts or "consent_needed" in parts:
        return StudioTask.NEEDS_ATTENTION
    consent = state.definition.get("consent")
    if isinstance(consent, dict):
        return StudioTask.IN_PROGRESS if placeholders_in(state.definition) else StudioTask.DONE
    return StudioTask.DONE if state.consent_reason else StudioTask.NOT_STARTED


def _publish_status(state: SurveyState) -> str:
    if state.published and not state.unpublished_changes:
        return StudioTask.DONE
    if state.blocks or state.loader_problems:
        return StudioTask.NEEDS_ATTENTION
    return StudioTask.IN_PROGRESS if state.published else StudioTask.NOT_STARTED


def _easy_read_status(definition: dict) -> str:
    """Done when every question has Easy Read words, in progress when some have."""
    pages = definition.get("pages") if isinstance(definition.get("pages"), list) else []
    questions = [q for p in pages if isinstance(p, dict)
                 for q in (p.get("questions") if isinstance(p.get("questions"), list) else [])
                 if isinstance(q, dict)]
    done = sum(1 for q in questions if isinstance(q.get("easy_read"), dict))
    if not done:
        return StudioTask.NOT_STARTED
    return StudioTask.DONE if done == len(questions) else StudioTask.IN_PROGRESS


def has_translations(definition: dict) -> bool:
    """True when any text of the survey is written in a second language."""
    own = str(definition.get("language") or "en").strip()

    def walk(value) -> bool:
        if isinstance(value, dict):
            if own in value and len(value) > 1 and all(isinstance(v, str) for v in value.values()):
                return True
            return any(walk(v) for v in value.values())
        if isinstance(value, list):
            return any(walk(v) for v in value)
        return False

    return walk(definition)
