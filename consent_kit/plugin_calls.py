"""Calling the hooks that add to pages, results and advice, combining what plugins return.

Kept apart from the web package so that results, exports and the command line
can use them without Flask.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import pluggy
from markupsafe import Markup

from consent_kit.plugins import PluginError
from consent_kit.survey.model import Problem, Survey
from consent_kit.survey.texts import TextPlace, text_places

log = logging.getLogger(__name__)


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
    parts = pm.hook.page_parts(slot=slot, template=template, request=request, survey=survey,
                               link=link)
    return Markup("\n").join(Markup(part) for part in parts if part)


def item_parts(pm: pluggy.PluginManager, kind: str, item_id: str, *, template: str, request,
               survey) -> Markup:
    """Every plugin's HTML for one question or consent section, joined in plugin order."""
    parts = pm.hook.item_parts(kind=kind, item_id=item_id, template=template, request=request,
                               survey=survey)
    return Markup("\n").join(Markup(part) for part in parts if part)


def response_breakdowns(pm: pluggy.PluginManager, survey: Survey) -> list[Breakdown]:
    """Every plugin's breakdowns for ``survey``; two with one id is an error naming both plugins."""
    found: dict[str, tuple[str, Breakdown]] = {}
    for impl in pm.hook.response_breakdowns.get_hookimpls():
        for breakdown in impl.function(survey=survey) or ():
            if breakdown.id in found:
                raise PluginError(
                    f"Two plugins both split results by {breakdown.id!r}: "
                    f"{found[breakdown.id][0]!r} and {impl.plugin_name!r}."
                )
            found[breakdown.id] = (impl.plugin_name, breakdown)
    return [breakdown for _, breakdown in found.values()]


def survey_advice(pm: pluggy.PluginManager, survey: Survey) -> list[Problem]:
    """Every plugin's advice on ``survey``'s wording, as warnings.

    Advice is help, not a gate: a plugin that fails here is logged and skipped
    rather than stopping a check or a page.
    """
    advice: list[Problem] = []
    for impl in pm.hook.survey_advice.get_hookimpls():
        try:
            found = impl.function(survey=survey) or []
        except Exception:
            log.exception("Plugin %r failed while giving advice on %r", impl.plugin_name, survey.id)
            continue
        advice.extend(p if p.severity == "warning" else _as_warning(p) for p in found)
    for text, place in text_places(survey):
        advice.extend(check_text(pm, text, place))
    return advice


def check_text(pm: pluggy.PluginManager, text: str, place: TextPlace) -> list[Problem]:
    """Every plugin's advice on one text (e.g. as a researcher edits it), as warnings.

    Like :func:`survey_advice`, a plugin that fails is logged and skipped.
    """
    advice: list[Problem] = []
    for impl in pm.hook.check_text.get_hookimpls():
        try:
            found = impl.function(**{k: v for k, v in (("text", text), ("context", place))
                                     if k in impl.argnames}) or []
        except Exception:
            log.exception("Plugin %r failed while checking a text of %r", impl.plugin_name,
                          place.survey.id)
            continue
        advice.extend(p if p.severity == "warning" else _as_warning(p) for p in found)
    return advice


def _as_warning(problem: Problem) -> Problem:
    return Problem(problem.path, problem.line, problem.where, problem.message, severity="warning")
