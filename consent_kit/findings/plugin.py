"""Findings pages, written as a built-in plugin (``plugin``, blockable like the others).

Researchers write a survey's findings page in the studio; once a second
member approves it, it is published at /f/<survey_id> for the people who took
part. Each hook only delegates: the rules are in :mod:`.book`, what a page
shows in :mod:`.render`, the pages in :mod:`.studio_views` and :mod:`.public_views`.
"""

from __future__ import annotations

from markupsafe import Markup

from consent_kit.findings import (
    notify,
    project_studio_views,
    project_views,
    public_views,
    studio_views,
    translate_views,
    waiting_views,
)
from consent_kit.findings.store import erase_quotes, load, load_project, project_published
from consent_kit.hookspecs import hookimpl
from consent_kit.plugin_calls import StudioTask


@hookimpl
def register_blueprints(app):
    """The studio's findings pages and the participants' page at /f/<survey_id>."""
    return [studio_views.bp, public_views.bp, waiting_views.bp, translate_views.bp, project_views.bp,
            project_studio_views.bp]


@hookimpl
def survey_tasks(survey_id, kit):
    """"Findings to share" in the survey's task list, for those who may write them."""
    if kit.current_role() not in ("researcher", "admin"):
        return []
    from flask import url_for
    from flask_babel import gettext as _

    book = load(kit, survey_id)
    if book.get("published"):
        status, hint = StudioTask.DONE, _("Published")
    elif book.get("items"):
        status, hint = StudioTask.IN_PROGRESS, _("Not published yet")
    else:
        status, hint = StudioTask.NOT_STARTED, ""
    return [StudioTask(_("Findings to share"), url_for("findings_studio.edit", survey_id=survey_id),
                       status=status, hint=hint, order=60)]


@hookimpl
def project_actions(project, kit):
    """Writing the project's own findings (researchers, admins); reading them once anything is out."""
    from flask import url_for
    from flask_babel import gettext as _

    actions = []
    if kit.current_role() in ("researcher", "admin"):
        book = load_project(kit, project.id)
        hint = (_("Published") if book.get("published") else
                _("Not published yet") if book.get("items") else "")
        actions.append(StudioTask(_("Write what we found across the project"),
                                  url_for("findings_project_studio.edit", project_id=project.id),
                                  hint=hint, order=59))
    if project_views.published_in(kit, project.id) or project_published(kit, project.id):
        actions.append(StudioTask(_("What we found, across the project's surveys"),
                                  url_for("findings_project.page", project_id=project.id), order=60))
    return actions


@hookimpl
def page_parts(slot, survey, kit):
    """Where the findings will be, once the team has said when (or they are out).

    On the Thank you page (``done``) as a link; on the copy of consent (``copy``),
    which people print or save, as the whole address written out.
    """
    if slot not in ("done", "copy") or survey is None:
        return None
    book = load(kit, survey.id)
    if not (book.get("promise") or book.get("published")):
        return None  # no promise the team hasn't made
    from flask import render_template

    return Markup(render_template(f"findings/{slot}_part.html", survey=survey, book=book))


@hookimpl
def erase_participant_data(response_ids, kit):
    """Withdrawing: quotes from these answers come off every findings page."""
    erase_quotes(kit, response_ids)


@hookimpl
def findings_ready(kit, survey_id, contacts):
    """The built-in notifier: marks the list as due on "People waiting to hear"; tells no one."""
    return notify.builtin_notifier(kit, survey_id)
