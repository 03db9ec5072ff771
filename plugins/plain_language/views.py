"""Pages in the researchers' area: "Check my words" per survey, and each project's own words.

Thin: the rules (who may open what) are declared with ``login_required`` and
checked before the view runs, so a researcher never reaches another project's
words or surveys. The views read the request, call the pure modules, render.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from consent_kit import current_kit, login_required

from . import advice
from .glossary import GlossaryError, built_in, merged, term_key
from .lookup import glossary_for, project_glossary, words_file
from .projects import ProjectWords, entry_from_form
from .report import survey_report

bp = Blueprint("plain_language", __name__, url_prefix="/studio", template_folder="templates")

#: Largest words file taken (a long glossary is a few kilobytes).
MAX_FILE_BYTES = 200_000


def _kit():
    return current_kit()


def _project(project_id: str):
    # The rule has already checked this person may open the project.
    project = current_kit().get_project(project_id)
    if project is None:
        abort(404)
    return project


def _kind_words() -> dict[str, str]:
    return {"suggest": _("Suggest better words"), "explain": _("Ask for it to be explained"),
            "ask": _("Ask people what words they use")}


@bp.get("/surveys/<survey_id>/words")
@login_required("viewer", scope="survey")
def report(survey_id):
    """Check my words: reading age and advice for every text of one survey."""
    survey = _kit().catalog.get(survey_id)
    if survey is None:
        return render_template("plain_language/report.html", report=None, survey_id=survey_id)
    found = survey_report(survey, glossary_for(survey), advice.reading_age_aim(survey))
    project = current_kit().current_project()
    return render_template("plain_language/report.html", report=found, survey_id=survey_id,
                           project=project, words_file=words_file(survey))


@bp.get("/projects/<project_id>/words")
@login_required("viewer", scope="project")
def words(project_id):
    """The project's words: the built-in glossary as the project changed it."""
    return _words_page(project_id)


def _words_page(project_id: str, errors=None, form=None, status: int = 200):
    project = _project(project_id)
    own = project_glossary(project_id)
    in_force = merged(built_in(), own)
    removed = [e for e in built_in().entries if own and e.key in own.removed]
    can_change = current_kit().current_role() in ("researcher", "admin")
    return render_template("plain_language/words.html", project=project, entries=in_force.entries,
                           removed=removed, errors=errors or [], form=form or {}, kinds=_kind_words(),
                           can_change=can_change), status


@bp.post("/projects/<project_id>/words")
@login_required("researcher", scope="project")
def change_words(project_id):
    """Add or reword an entry, take one out, put one back, or read a words file."""
    project = _project(project_id)
    store = ProjectWords(_kit().store)
    action = request.form.get("action", "save")
    term = " ".join(request.form.get("term", "").split())
    if action == "take_out" and term:
        store.take_out(project.id, term)
        flash(_("“%(term)s” is no longer looked for in this project.", term=term), "success")
    elif action == "put_back" and term:
        store.put_back(project.id, term)
        flash(_("“%(term)s” is back to the built-in words.", term=term), "success")
    elif action == "upload":
        return _upload(project, store)
    else:
        entry, errors = entry_from_form(request.form)
        if errors:
            return _words_page(project.id, errors, request.form, 400)
        store.save_entry(project.id, entry)
        flash(_("Saved “%(term)s” for this project.", term=entry.term), "success")
    _audit(project.id, action, term)
    return redirect(url_for(".words", project_id=project.id))


def _upload(project, store: ProjectWords):
    upload = request.files.get("file")
    data = upload.read(MAX_FILE_BYTES + 1) if upload else b""
    problem = ""
    if not data:
        problem = _("Choose a words file to send.")
    elif len(data) > MAX_FILE_BYTES:
        problem = _("That file is too big for a words file. Is it the right file?")
    else:
        try:
            glossary = store.read_file(data, upload.filename or "words.yaml")
        except GlossaryError as error:
            problem = str(error)
    if problem:
        return _words_page(project.id, [("file", _("Words file"), problem)], status=400)
    store.replace(project.id, glossary)
    _audit(project.id, "upload", f"{len(glossary.entries)} entries")
    flash(_("Read the words file: %(count)d words, %(removed)d taken out.",
            count=len(glossary.entries), removed=len(glossary.removed)), "success")
    return redirect(url_for(".words", project_id=project.id))


@bp.get("/projects/<project_id>/words.yaml")
@login_required("viewer", scope="project")
def words_download(project_id):
    """The project's words as a file to edit and send back (or keep beside a survey file)."""
    project = _project(project_id)
    text = ProjectWords(_kit().store).as_file(project.id, project.name)
    headers = {"Content-Disposition": f'attachment; filename="{project.id}-words.yaml"'}
    return Response(text, mimetype="text/yaml", headers=headers)


def _audit(project_id: str, action: str, term: str) -> None:
    user = current_kit().current_user()
    _kit().store.audit(actor=f"user:{user.username}" if user else "anonymous",
                       action="words_changed", subject=project_id,
                       details={"change": action, "term": term_key(term)})
