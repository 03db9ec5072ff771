"""The builder's survey-wide pages: the outline, new surveys, files, publish and approval.

* Publishing writes the draft as the survey file in forms/ and records who
  published which version, when. When the project asks for it, a version
  goes live only after another member of the project approved exactly that
  version; who approved which version, and when, is kept and shown.
* Closing and reopening change only whether the survey takes answers.
* A downloaded file is the same YAML as the files in forms/; an uploaded file
  is read as data (never code) and checked like ``consent-kit check``.
"""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from consent_kit.studio import versions
from consent_kit.studio.auth import audit, current_project, not_found, state
from consent_kit.studio.builder import check_upload, content_version, normalise, to_yaml
from consent_kit.studio.builder import forms as form_read
from consent_kit.studio.builder.checks import check
from consent_kit.studio.builder.ops import make_id, new_definition, set_details, set_status
from consent_kit.studio.builder.publish_check_views import task_list
from consent_kit.studio.builder.texts import text_of
from consent_kit.studio.builder.view_support import (
    Stale,
    advice_for,
    bp,
    change_errors,
    done,
    editing,
    editing_or_404,
    me,
    problem_words,
    render,
    workspace,
)
from consent_kit.studio.rules import login_required
from consent_kit.survey.load.survey_file import SURVEY_ID
from consent_kit.survey.model import SurveyError
from consent_kit.web.helpers import kit

#: Where a survey's upload form and its messages live on its outline page.
UPLOAD_FIELD = "survey_file"


# -- the outline ---------------------------------------------------------------------


@bp.get("/surveys/<survey_id>/build")
@login_required("researcher", scope="survey")
def overview(survey_id):
    """The survey's outline: every page and question, with buttons to change them."""
    return overview_page(survey_id)


def overview_page(survey_id: str, errors=(), status: int = 200):
    """The outline (also shown again with ``errors`` after a refused upload or publish)."""
    ed = editing(survey_id)
    if ed is None:
        broken = kit().catalog.broken.get(survey_id)
        if broken is None:
            abort(not_found())
        return render_template("builder/broken.html", survey_id=survey_id,
                               problems=[str(p) for p in broken], errors=list(errors),
                               project=current_project()), (400 if errors else 200)
    ws = workspace()
    project = current_project()
    version = content_version(ed.definition)
    draft_by = (ed.draft or {}).get("updated_by", "")
    changed = (ed.published is None
               or content_version(normalise(ed.published.definition)) != version
               or ed.published.status != ed.definition.get("status", "open"))
    return render("builder/overview.html", ed, errors=errors, status=status,
                  tasks=task_list(ed, changed=changed),
                  version=version, versions=versions.history(survey_id),
                  live=versions.live_version(survey_id, ed.published),
                  next_number=versions.next_number(survey_id),
                  approvals=ws.approvals(survey_id),
                  approved=ws.approval_for(survey_id, version, not_by=draft_by),
                  needs_approval=ws.requires_approval(project.id if project else ""),
                  can_approve=bool(ed.draft) and draft_by != me(),
                  problems=problem_words(ed.problems), advice=advice_for(ed),
                  type_words={t.name: str(t.label or t.name) for t in kit().question_types},
                  changed=changed)


# -- new surveys ---------------------------------------------------------------------


@bp.route("/projects/<project_id>/surveys/new", methods=["GET", "POST"])
@login_required("researcher", scope="project")
def new(project_id):
    """Start a new survey in a project: from a title, or from a survey file."""
    project, errors = current_project(), []
    if request.method == "POST":
        try:
            survey_id, definition = _new_survey(request.form, request.files.get(UPLOAD_FIELD))
        except _Refused as error:
            errors = error.errors
        else:
            workspace().save_draft(survey_id, definition, me())
            state().accounts.assign_survey(survey_id, project.id)
            audit("survey_created", survey_id, {"project": project.id})
            return done(_("Your survey is ready to build. Nobody can see it until you "
                          "publish it."), survey_id)
    return render("builder/new.html", None, errors=errors)


class _Refused(Exception):
    def __init__(self, errors):
        self.errors = errors


def _new_survey(form, upload) -> tuple[str, dict]:
    if upload is not None and upload.filename:
        survey = _read_upload(upload, "")
        _need_free_id(survey.id, "survey_file")
        return survey.id, survey.definition
    title, description = form_read.words(form, "title"), form_read.words(form, "description")
    missing = [("title", _("Title"), _("Write a title for the survey."))] if not title else []
    if not description:
        missing.append(("description", _("Description"), _(
            "Write a sentence or two about what the survey is for.")))
    if missing:
        raise _Refused(missing)
    survey_id = form_read.words(form, "survey_id").lower() or make_id(
        title, _ids_in_use(), prefix="survey", sep="-")
    if not SURVEY_ID.match(survey_id):
        raise _Refused([("survey_id", _("Short name"), _(
            "A short name has only small letters, digits and hyphens (-), like "
            "'youth-voice-2026'."))])
    _need_free_id(survey_id, "survey_id")
    definition = new_definition(survey_id, title, description)
    try:
        check(definition, kit().question_types, survey_id)
    except SurveyError as error:
        raise _Refused([("description", _("Survey"), w)
                        for w in problem_words(error.problems)]) from None
    return survey_id, definition


def _ids_in_use() -> set[str]:
    catalog = kit().catalog
    catalog.refresh()
    taken = set(catalog.surveys) | set(catalog.broken) | set(state().accounts.survey_projects())
    return taken | workspace().draft_ids()


def _need_free_id(survey_id: str, field: str) -> None:
    if survey_id in _ids_in_use() or workspace().has_draft_or_file(survey_id):
        raise _Refused([(field, _("Short name"), _(
            "There is already a survey with the short name '%(id)s'. Choose another one "
            "(in a file, change 'id:').", id=survey_id))])


def _read_upload(upload, survey_id: str):
    data = upload.stream.read(1024 * 1024)
    try:
        return check_upload(data, upload.filename, kit().question_types, survey_id)
    except SurveyError as error:
        raise _Refused([(UPLOAD_FIELD, _("Survey file"), str(p)) for p in error.problems]
                       ) from None


# -- files ---------------------------------------------------------------------------


@bp.get("/surveys/<survey_id>/build/download")
@login_required("researcher", scope="survey")
def download(survey_id):
    """The survey file: the draft (``?which=draft``) or the live file as it is."""
    ed = editing(survey_id)
    if request.args.get("which") == "draft" and ed is not None:
        body, name = to_yaml(ed.definition), f"{survey_id}-draft.yaml"
    else:
        published = kit().catalog.get(survey_id)
        source = workspace().file_for(survey_id, published.source if published else "")
        if not source.is_file():
            abort(not_found())
        body, name = source.read_text(encoding="utf-8-sig"), source.name
    audit("survey_downloaded", survey_id, {"which": request.args.get("which", "live")})
    return Response(body, mimetype="application/yaml", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/surveys/<survey_id>/build/upload")
@login_required("researcher", scope="survey")
def upload(survey_id):
    """Make an uploaded survey file the draft, once it passes the same checks as the loader."""
    chosen = request.files.get(UPLOAD_FIELD)
    if chosen is None or not chosen.filename:
        return overview_page(survey_id, [(UPLOAD_FIELD, _("Survey file"), _(
            "Choose a survey file to upload."))], 400)
    try:
        survey = _read_upload(chosen, survey_id)
    except _Refused as error:
        return overview_page(survey_id, error.errors, 400)
    if survey.id != survey_id:
        return overview_page(survey_id, [(UPLOAD_FIELD, _("Survey file"), _(
            "This file is for the survey '%(other)s', not '%(id)s'. Change 'id:' in the file "
            "to '%(id)s', or delete that line.", other=survey.id, id=survey_id))], 400)
    workspace().save_draft(survey_id, survey.definition, me())
    audit("survey_uploaded", survey_id, {"version": content_version(survey.definition)})
    return done(_("The file is uploaded as the draft. Check it, then publish it."), survey_id)


# -- publishing ----------------------------------------------------------------------


@bp.post("/surveys/<survey_id>/build/approve")
@login_required("researcher", scope="survey")
def approve(survey_id):
    """Approve the draft's version: recorded with who and when (not by whoever last changed it)."""
    ed = editing_or_404(survey_id)
    if ed.draft is None or request.form.get("revision") != ed.revision:
        return overview_page(survey_id, change_errors(Stale()), 400)
    if ed.draft["updated_by"] == me():
        return overview_page(survey_id, [("approve", _("Approve"), _(
            "You made the last change, so someone else in the project needs to approve "
            "it."))], 400)
    version = content_version(ed.definition)
    workspace().approve(survey_id, version, me())
    audit("survey_approved", survey_id, {"version": version,
                                         "number": versions.next_number(survey_id)})
    return done(_("You approved version %(number)s.",
                  number=versions.next_number(survey_id)), survey_id)


@bp.post("/surveys/<survey_id>/build/status")
@login_required("researcher", scope="survey")
def status(survey_id):
    """Close the live survey to new answers, or open it again."""
    ed = editing_or_404(survey_id)
    wanted = request.form.get("status", "")
    if ed.published is None or wanted not in ("open", "closed"):
        return done(_("Publish the survey first."), survey_id)
    path = workspace().file_for(survey_id, ed.published.source)
    workspace().write_file(path, set_status(ed.published.definition, wanted))
    if ed.draft is not None:
        workspace().save_draft(survey_id, set_status(ed.draft["definition"], wanted),
                               ed.draft["updated_by"])
    kit().catalog.refresh(force=True)
    audit("survey_closed" if wanted == "closed" else "survey_reopened", survey_id)
    return done(_("The survey is closed: nobody can send answers.") if wanted == "closed"
                else _("The survey is open again."), survey_id)


@bp.post("/surveys/<survey_id>/build/duplicate")
@login_required("researcher", scope="survey")
def duplicate(survey_id):
    """Copy the survey (its draft, or the live version) as a new draft in the same project."""
    ed = editing_or_404(survey_id)
    project = current_project()
    if not project.id:  # a copy must belong somewhere, or nobody but admins could find it
        return overview_page(survey_id, [("main", _("Copy"), _(
            "Put this survey in a project first (on the Surveys page), then copy it."))], 400)
    copy_id = make_id(f"{survey_id} copy", _ids_in_use(), prefix="survey", sep="-")
    title = text_of(ed.definition.get("title"), ed.language)
    copied = set_details({**ed.definition, "id": copy_id, "status": "open"},
                         title=_("Copy of %(title)s", title=title),
                         description=text_of(ed.definition.get("description"), ed.language),
                         time_to_complete=text_of(ed.definition.get("time_to_complete"),
                                                  ed.language))
    workspace().save_draft(copy_id, copied, me())
    state().accounts.assign_survey(copy_id, project.id)
    audit("survey_duplicated", copy_id, {"from": survey_id})
    flash(_("This is a copy of %(title)s. Nobody can see it until you publish it.",
            title=title), "success")
    return redirect(url_for(".overview", survey_id=copy_id))


@bp.post("/surveys/<survey_id>/build/discard")
@login_required("researcher", scope="survey")
def discard(survey_id):
    """Throw the draft away (the live survey stays as it is)."""
    ed = editing_or_404(survey_id)
    if ed.published is None:
        return done(_("This survey has never been published, so its draft is all there is. "
                      "It was kept."), survey_id)
    workspace().discard_draft(survey_id)
    audit("survey_draft_discarded", survey_id)
    return done(_("The changes are thrown away. The survey is as it was when last "
                  "published."), survey_id)


@bp.post("/projects/<project_id>/approval")
@login_required("admin", scope="project")
def approval_rule(project_id):
    """Turn on or off the project's rule that a second member approves each version."""
    required = form_read.ticked(request.form, "require_approval")
    workspace().set_requires_approval(project_id, required)
    audit("approval_rule_changed", project_id, {"required": required})
    flash(_("From now on, another member must approve each version before it goes live.")
          if required else _("Versions can now go live without another member's approval."),
          "success")
    return redirect(url_for("studio.project", project_id=project_id))

