"""Calling the hooks that add to pages, results and advice, combining what plugins return.

Kept apart from the web package so that results, exports and the command line
can use them without Flask. Every call goes through
:func:`consent_kit.plugins.call_each`: a plugin that fails here is logged,
listed for the admins and left out, never a broken page or a stopped check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pluggy
from markupsafe import Markup

from consent_kit.plugins import PluginError, call_each
from consent_kit.survey.model import Problem, Survey
from consent_kit.survey.texts import TextPlace, text_places


@dataclass(frozen=True)
class Breakdown:
    """A way to split a survey's responses into groups, offered by a plugin.

    ``value_of(response)`` returns the name of the group the response belongs
    to, in plain words (e.g. "Library poster"); "" means "not known".
    """

    id: str
    label: str
    value_of: Callable


def page_parts(pm: pluggy.PluginManager, slot: str, *, template: str, request, survey,
               link: str = "") -> Markup:
    """Every plugin's HTML for ``slot``, joined in plugin order (empty when there is none)."""
    parts = call_each(pm, "page_parts", slot=slot, template=template, request=request,
                      survey=survey, link=link)
    return Markup("\n").join(Markup(part) for _, part in parts if part)


def item_parts(pm: pluggy.PluginManager, kind: str, item_id: str, *, template: str, request,
               survey) -> Markup:
    """Every plugin's HTML for one question or consent section, joined in plugin order."""
    parts = call_each(pm, "item_parts", kind=kind, item_id=item_id, template=template,
                      request=request, survey=survey)
    return Markup("\n").join(Markup(part) for _, part in parts if part)


def response_breakdowns(pm: pluggy.PluginManager, survey: Survey) -> list[Breakdown]:
    """Every plugin's breakdowns for ``survey``; two with one id is an error naming both plugins."""
    found: dict[str, tuple[str, Breakdown]] = {}
    for plugin, breakdowns in call_each(pm, "response_breakdowns", oldest_first=True, survey=survey):
        for breakdown in breakdowns:
            if breakdown.id in found:
                raise PluginError(
                    f"Two plugins both split results by {breakdown.id!r}: "
                    f"{found[breakdown.id][0]!r} and {plugin!r}."
                )
            found[breakdown.id] = (plugin, breakdown)
    return [breakdown for _, breakdown in found.values()]


def survey_advice(pm: pluggy.PluginManager, survey: Survey) -> list[Problem]:
    """Every plugin's advice on ``survey``'s wording, as warnings.

    Advice is help, not a gate: a plugin that fails here is logged and skipped
    rather than stopping a check or a page.
    """
    advice: list[Problem] = []
    for _, found in call_each(pm, "survey_advice", oldest_first=True, survey=survey):
        advice.extend(p if p.severity == "warning" else _as_warning(p) for p in found)
    for text, place in text_places(survey):
        advice.extend(check_text(pm, text, place))
    return advice


def check_text(pm: pluggy.PluginManager, text: str, place: TextPlace) -> list[Problem]:
    """Every plugin's advice on one text (e.g. as a researcher edits it), as warnings.

    Like :func:`survey_advice`, a plugin that fails is logged and skipped.
    """
    advice: list[Problem] = []
    for _, found in call_each(pm, "check_text", oldest_first=True, text=text, context=place):
        advice.extend(p if p.severity == "warning" else _as_warning(p) for p in found)
    return advice


def _as_warning(problem: Problem) -> Problem:
    return Problem(problem.path, problem.line, problem.where, problem.message, severity="warning")


def core_stylesheet(found: list[tuple[str, list]]) -> tuple[str | None, list[str]]:
    """From ``extra_css_urls`` results: the stylesheet replacing the core's (or None), and the rest.

    A plugin may return plain URLs (added after the core's stylesheet) or
    ``{"url": ..., "instead_of_core": True}`` for one that already holds the
    core's rules; the first such replacement wins, so a page keeps one stylesheet.
    """
    instead: str | None = None
    extra: list[str] = []
    for _, urls in found:
        for item in urls:
            if isinstance(item, dict) and item.get("instead_of_core"):
                instead = instead or str(item["url"])
            else:
                extra.append(str(item["url"] if isinstance(item, dict) else item))
    return instead, extra


@dataclass(frozen=True)
class StudioTask:
    """One line of a survey's task list in the studio, or a link on a project's page.

    ``status`` is shown as a tag beside the title; leave it "" for a link with no state.
    """

    NOT_STARTED = "not started"
    IN_PROGRESS = "in progress"
    DONE = "done"
    NEEDS_ATTENTION = "needs attention"

    title: str
    url: str
    status: str = ""
    hint: str = ""
    order: int = 100


def survey_tasks(pm: pluggy.PluginManager, survey_id: str, user) -> list[StudioTask]:
    """Every plugin's tasks for a survey's task list, in ``order`` (then title)."""
    found = call_each(pm, "survey_tasks", oldest_first=True, survey_id=survey_id, user=user)
    return _in_order(found)


def project_actions(pm: pluggy.PluginManager, project, user) -> list[StudioTask]:
    """Every plugin's links for a project's page in the studio, in ``order`` (then title)."""
    found = call_each(pm, "project_actions", oldest_first=True, project=project, user=user)
    return _in_order(found)


def _in_order(found: list[tuple[str, list]]) -> list[StudioTask]:
    tasks = [task for _, tasks in found for task in tasks]
    return sorted(tasks, key=lambda task: (task.order, str(task.title)))
