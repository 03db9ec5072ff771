"""A project's own findings page in the studio: the members write its introduction and parts.

What they write is shown at /f/project/<project_id>, above the findings of the
project's surveys, once a second member approved it and someone published it:
the same rules as a survey's findings page (:mod:`consent_kit.findings.book`),
the same forms for a part (heading, Markdown text, Easy Read words) and the
same advice on the words. Only parts in words: charts and quotes stay on each
survey's page. Researchers and admins of the project may do everything here.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from consent_kit.clock import utc_now
from consent_kit.findings import book as rules
from consent_kit.findings.advice import section_texts, text_advice
from consent_kit.findings.render import show_sections
from consent_kit.findings.store import load_project, update_project
from consent_kit.findings.studio_views import REFUSALS, _labels, _move, _remove, _section
from consent_kit.kit import current_kit
from consent_kit.studio.auth import state
from consent_kit.studio.rules import login_required

bp = Blueprint("findings_project_studio", __name__, template_folder="templates",
               url_prefix="/studio/projects/<project_id>/findings")

#: What the forms may do: the survey page's own handlers for parts in words.
ACTIONS = {"section": _section, "remove": _remove, "up": _move(-1), "down": _move(1)}
#: Easy Read pictures are for survey pages only: fields a form could send are dropped.
PICTURE_FIELDS = ("picture_name", "picture_width", "picture_height", "picture_bytes", "new_id")


def _advice_survey(project_id: str):
    """The survey whose reading-age aim and word list the advice uses: the project's first, by title.

    None when the project has no survey (then there is no advice, as with no plugin).
    """
    kit = current_kit()
    surveys = [kit.catalog.get(i) for i in state().accounts.surveys_of(project_id)]
    surveys = [s for s in surveys if s is not None]
    return min(surveys, key=lambda s: s.title.casefold()) if surveys else None


def _advice(survey, texts, where: str) -> list[str]:
    return text_advice(current_kit().pm, survey, texts, where=where) if survey is not None else []


def _own_language() -> str:
    """The language a project's own words are written in: the site's (projects have none)."""
    return current_app.config.get("BABEL_DEFAULT_LOCALE", "en")


@bp.get("")
@login_required("researcher", scope="project")
def edit(project_id):
    """The project's own findings as they are being written, with approval and publishing."""
    return _edit_page(project_id)


def _edit_page(project_id: str, errors=None, form=None, status=200, checked=None):
    kit = current_kit()
    book = load_project(kit, project_id)
    survey = _advice_survey(project_id)
    advice = {item["id"]: _advice(survey, section_texts(item, _labels()), item.get("heading", ""))
              for item in book["items"]}
    return render_template(
        "findings/project_edit.html", project=kit.current_project(), book=book,
        shown=show_sections(book["items"], own=_own_language()), advice=advice, checked=checked,
        errors=errors or [], form=form or {}, me=kit.current_user().username,
        approved=rules.approved_now(book), has_survey=survey is not None), status


@bp.post("")
@login_required("researcher", scope="project")
def change(project_id):
    """Add, change, move or remove a part; or "Check the words" (nothing saved)."""
    kit = current_kit()
    action = request.form.get("action", "")
    if action == "check":
        texts = [(label, request.form.get(name, "")) for name, label in _labels().items()]
        return _edit_page(project_id, form=request.form,
                          checked=_advice(_advice_survey(project_id), texts, _("This part")))
    handler = ACTIONS.get(action)
    if handler is None:
        return _edit_page(project_id, [("action", _("What to do"), _("Choose what to do."))],
                          status=400)
    form = {k: v for k, v in request.form.to_dict().items() if k not in PICTURE_FIELDS}
    if action == "section" and not form.get("item_id"):
        form["new_id"] = rules.new_id()  # the same id when the change is applied under the lock
    problems = handler(load_project(kit, project_id), None, form)
    if problems:
        return _edit_page(project_id, problems, form=request.form, status=400)
    me, now = kit.current_user().username, utc_now()

    def apply(fresh: dict) -> None:
        handler(fresh, None, form, check=False)
        rules.changed(fresh, me, now)

    update_project(kit, project_id, apply)
    flash(_("Saved. Someone else in the project needs to approve this before it is published."),
          "success")
    return redirect(url_for(".edit", project_id=project_id) + "#page")


@bp.post("/publish")
@login_required("researcher", scope="project")
def publish(project_id):
    """Approve (someone other than the last to change it), publish, or take the page down."""
    kit = current_kit()
    action, me, now = request.form.get("action", ""), kit.current_user().username, utc_now()
    steps = {"approve": (lambda book: rules.approve(book, me, now),
                         _("You approved the project's findings page. It can be published now.")),
             "publish": (lambda book: rules.publish(book, me, now),
                         _("The project's findings page is published.")),
             "unpublish": (rules.unpublish, _("The project's own words are taken down."))}
    if action not in steps:
        abort(400)
    step, message = steps[action]
    done: list[int] = []

    def apply(book: dict) -> None:
        step(book)  # a refusal raises: nothing is written
        done.append(book["revision"])

    try:
        update_project(kit, project_id, apply)
    except rules.FindingsError as error:
        return _edit_page(project_id, [("publish", _("Publish"), REFUSALS[error.reason]())],
                          status=400)
    kit.store.audit(actor=me, action=f"findings_project_{action}", subject=project_id,
                    details={"revision": done[0]})
    flash(message, "success")
    return redirect(url_for(".edit", project_id=project_id))
