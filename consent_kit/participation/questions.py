"""Drawing one question, with the HTML of questions nobody typed into kept and reused.

A question's HTML usually depends only on the question, the language and,
for choice questions, which of the offered choices are ticked. Templates are
the dearest part of a page, so that HTML is drawn once and kept for the app's
lifetime. Anything a person typed (text, numbers, dates) and every error
message is drawn fresh each time, so kept HTML never holds someone's words.
"""

from __future__ import annotations

from flask import render_template
from flask_babel import get_locale
from markupsafe import Markup

from consent_kit.web.helpers import kit

#: At most this many kept drawings per app: a few per choice of each question.
MAX_KEPT = 4096


def _choice_values(field) -> set | None:
    """The values a choice field offers, or None for a field without choices."""
    choices = getattr(field, "choices", None)
    if not choices:
        return None
    try:
        return {getattr(c, "value", None) if not isinstance(c, tuple) else c[0] for c in choices}
    except TypeError:  # an unhashable value: not worth keeping
        return None


def _answer_key(view) -> tuple | None:
    """What the drawing depends on besides the question, or None if it must be drawn fresh.

    Only "nothing chosen" or a set of the field's own choices qualify: both
    come from the survey file, never from what a person typed.
    """
    if view.error:
        return None
    pnts = bool(view.pnts is not None and view.pnts.data)
    field = view.field
    if field is None:
        return ((), pnts)
    if field.raw_data:
        return None  # sent from the browser: drawn from what was sent
    data = field.data
    if data in (None, "", []):
        return ((), pnts)
    chosen = tuple(data) if isinstance(data, list | tuple) else (data,)
    offered = _choice_values(field)
    try:
        if offered is None or not set(chosen) <= offered:
            return None
    except TypeError:
        return None
    return (tuple(type(v).__name__ for v in chosen), chosen, pnts)


def question_html(view, survey=None, title_in_panel: bool = False) -> Markup:
    """The HTML of one question on a page, drawn by its type's template.

    ``title_in_panel``: the page has no title and this text-only question
    comes first, so its label is the page's main heading.
    """
    context = {"view": view, "survey": survey, "title_in_panel": title_in_panel}
    # Words with someone's earlier answer in them (``${name}``) are never kept.
    answer = None if getattr(view, "piped", False) else _answer_key(view)
    if answer is None:
        return Markup(render_template(view.qtype.template, **context))
    key = (view.question, view.qtype.template, str(get_locale()), title_in_panel, answer)
    cache = kit().question_html
    html = cache.get(key)
    if html is None:
        html = Markup(render_template(view.qtype.template, **context))
        if len(cache) < MAX_KEPT:
            cache[key] = html
    return html
