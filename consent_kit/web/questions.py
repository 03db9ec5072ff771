"""Drawing one question, with the HTML of unanswered questions kept and reused.

Most question pages are drawn before anything is typed in them, and then a
question's HTML depends only on the question and the language. Templates are
the dearest part of a page, so that HTML is drawn once and kept for the app's
lifetime (a handful of entries per question and language).
"""

from __future__ import annotations

from flask import render_template
from flask_babel import get_locale
from markupsafe import Markup

from .helpers import kit


def _is_blank(view) -> bool:
    """True when nothing about this question depends on the participant."""
    if view.error or (view.pnts is not None and view.pnts.data):
        return False
    field = view.field
    if field is None:
        return True
    return not field.raw_data and field.data in (None, "", [])


def question_html(view, survey=None, title_in_panel: bool = False) -> Markup:
    """The HTML of one question on a page, drawn by its type's template.

    ``title_in_panel``: the page has no title and this text-only question
    comes first, so its label is the page's main heading.
    """
    context = {"view": view, "survey": survey, "title_in_panel": title_in_panel}
    if not _is_blank(view):
        return Markup(render_template(view.qtype.template, **context))
    key = (view.question, view.qtype.template, str(get_locale()), title_in_panel)
    cache = kit().question_html
    if key not in cache:
        cache[key] = Markup(render_template(view.qtype.template, **context))
    return cache[key]
