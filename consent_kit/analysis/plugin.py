"""The built-in plugin ``analysis``: its pages, its place in the studio, and erasing on withdrawal."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from consent_kit import StudioTask, hookimpl
from consent_kit.analysis import views
from consent_kit.analysis.coding import Coding


@hookimpl
def register_blueprints(app):
    """The "Make sense of the answers" pages."""
    return [views.bp]


@hookimpl
def survey_tasks(survey_id, kit):
    """A task on the survey's page, for surveys with written answers."""
    survey = kit.catalog.get(survey_id)
    if survey is None or not any(q.type in views.TEXT_TYPES for q in survey.questions):
        return []
    return [StudioTask(_("Make sense of the answers together: themes and coding"),
                       url_for("analysis.overview", survey_id=survey_id), order=30)]


@hookimpl
def erase_participant_data(pseudonym, response_ids, kit):
    """Someone took their answers back: their codes, memos and settled codes go too."""
    Coding(kit.store).erase(response_ids)
