"""accessible_formats: take part in the way that works for you.

Display options (larger text, high contrast, dyslexia-friendly, less motion),
Easy Read, Listen (read aloud with espeak-ng, or the researchers' own
recording), sign language video links, large print, plain text, paper (print
and PDF) and typing in paper answers. This module holds the hook
implementations only; each hands over to a small module.
"""

from __future__ import annotations

from consent_kit import hookimpl

from . import parts, read_aloud, studio_views, views


@hookimpl
def register_blueprints(app):
    return [views.bp, studio_views.bp, read_aloud.bp]


@hookimpl
def extra_css_urls(template):
    return parts.css_urls(template)


@hookimpl
def survey_tasks(survey_id):
    return parts.studio_tasks(survey_id)


@hookimpl
def page_parts(slot, survey):
    return parts.page_part(slot, survey)


@hookimpl
def item_parts(kind, item_id, survey):
    return parts.item_part(kind, item_id, survey)
