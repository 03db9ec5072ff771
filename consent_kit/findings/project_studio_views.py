"""A project's own findings page in the studio: the members write its introduction and parts.

What they write is shown at /f/project/<project_id>, above the findings of the
project's surveys, once a second member approved it and someone published it:
the same rules as a survey's findings page (:mod:`consent_kit.findings.book`),
the same forms for a part (heading, Markdown text, Easy Read words and picture)
and the same advice on the words. Only parts in words: charts and quotes stay on
each survey's page. Researchers and admins of the project may do everything here.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup

from consent_kit.clock import utc_now
from consent_kit.findings import book as rules
from consent_kit.findings import picture_forms, pictures
from consent_kit.findings.advice import section_texts, text_advice
from consent_kit.findings.render import show_sections
from consent_kit.findings.store import load_project, update_project
from consent_kit.findings.studio_views import REFUSALS, _labels, _move, _remove, _section
from consent_kit.findings.translate_views import put_translations, typed_translations
from consent_kit.i18n.languages import html_lang, native_name, text_direction
from consent_kit.i18n.localize import languages
from consent_kit.kit import current_kit
from consent_kit.studio.auth import state
from consent_kit.studio.rules import login_required

bp = Blueprint("findings_project_studio", __name__, template_folder="templates",
               url_prefix="/studio/projects/<project_id>/findings")

#: What the forms may do: the survey page's own handlers for parts in words.
ACTIONS = {"section": _section, "remove": _remove, "up": _move(-1), "down": _move(1)}


def _folder(project_id: str):
    """Where the project's own Easy Read pictures are kept (apart from every survey's)."""
    return pictures.project_folder(current_app.instance_path, project_id)


def _surveys(project_id: str) -> list:
    """The project's surveys, by title."""
    kit = current_kit()
    found = [kit.catalog.get(i) for i in state().accounts.surveys_of(project_id)]
    return sorted((s for s in found if s is not None), key=lambda s: s.title.casefold())


def _advice_survey(project_id: str):
    """The survey whose reading-age aim and word list the advice uses: the project's first, by title.

    None when the project has no survey (then there is no advice, as with no plugin).
    """
    surveys = _surveys(project_id)
    return surveys[0] if surveys else None


def _other_languages(project_id: str) -> list[str]:
    """The languages of the project's surveys other than the one its own words are written in."""
    own = _own_language()
    return sorted({lang for survey in _surveys(project_id) for lang in languages(survey)} - {own})


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
        shown=show_sections(book["items"], own=_own_language(), easy=True,
                            picture_url=lambda item: url_for(".picture", project_id=project_id,
                                                             name=item["picture"]["name"])),
        advice=advice, checked=checked, heavy=pictures.heavy(book["items"]),
        errors=errors or [], form=form or {}, me=kit.current_user().username,
        approved=rules.approved_now(book), has_survey=survey is not None,
        languages=[(lang, native_name(lang)) for lang in _other_languages(project_id)]), status


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
    where = _folder(project_id)
    form, upload = picture_forms.section_form(where, with_picture=action == "section")
    if upload:
        return _edit_page(project_id, upload, form=request.form, status=400)
    problems = handler(load_project(kit, project_id), None, form)
    if problems:
        picture_forms.forget_unsaved(where, form)  # kept for a part that wasn't saved
        return _edit_page(project_id, problems, form=request.form, status=400)
    me, now = kit.current_user().username, utc_now()

    def change_(fresh: dict) -> None:
        handler(fresh, None, form, check=False)
        rules.changed(fresh, me, now)

    apply, gone = picture_forms.tidying(change_, form)
    update_project(kit, project_id, apply)
    picture_forms.forget(where, gone)  # pictures no version of the page uses any more
    flash(_("Saved. Someone else in the project needs to approve this before it is published."),
          "success")
    return redirect(url_for(".edit", project_id=project_id) + "#page")


@bp.post("/publish")
@login_required("researcher", scope="project")
def publish(project_id):
    """Approve (someone other than the last to change it), publish, or take the page down."""
    kit = current_kit()
    action, me, now = request.form.get("action", ""), kit.current_user().username, utc_now()
    messages = {"approve": _("You approved the project's findings page. It can be published now."),
                "publish": _("The project's findings page is published."),
                "unpublish": _("The project's own words are taken down.")}
    step = rules.publishing_step(action, me, now)
    if step is None:
        abort(400)
    (change_, done), message = step, messages[action]
    apply, gone = picture_forms.tidying(change_)  # a page taken down, or an older one replaced
    try:
        update_project(kit, project_id, apply)
    except rules.FindingsError as error:
        return _edit_page(project_id, [("publish", _("Publish"), REFUSALS[error.reason]())],
                          status=400)
    picture_forms.forget(_folder(project_id), gone)
    kit.store.audit(actor=me, action=f"findings_project_{action}", subject=project_id,
                    details={"revision": done[0]})
    flash(message, "success")
    return redirect(url_for(".edit", project_id=project_id))


def _language(project_id: str, lang: str) -> str:
    """``lang`` if one of the project's surveys is in it (and it isn't the words' own), else "not found"."""
    if lang not in _other_languages(project_id):
        abort(404)
    return lang


@bp.get("/translate/<lang>")
@login_required("researcher", scope="project")
def translate(project_id, lang):
    """The project's own words as written, beside boxes for the same words in ``lang``."""
    lang = _language(project_id, lang)
    kit = current_kit()
    book, survey = load_project(kit, project_id), _advice_survey(project_id)
    advice = {item["id"]: (text_advice(kit.pm, survey, section_texts(item, _labels(), lang),
                                       where=item.get("heading", ""), language=lang)
                           if survey is not None else [])
              for item in book["items"]}
    own = _own_language()
    return render_template(
        "findings/translate.html", project=kit.current_project(), lang=lang,
        name=kit.current_project().name, back=url_for(".edit", project_id=project_id),
        back_label=_("The project's own findings"),
        action=url_for(".save_translation", project_id=project_id, lang=lang),
        lang_attr=Markup(' lang="{}" dir="{}"').format(html_lang(lang), text_direction(lang)),
        own_attr=Markup(' lang="{}" dir="{}"').format(html_lang(own), text_direction(own)),
        language=native_name(lang), sections=book["items"], advice=advice)


@bp.post("/translate/<lang>")
@login_required("researcher", scope="project")
def save_translation(project_id, lang):
    """Keep the typed words; a change like any other, approved again before it is published."""
    lang = _language(project_id, lang)
    kit = current_kit()
    typed = typed_translations(request.form)
    me, now = kit.current_user().username, utc_now()

    def apply(book: dict) -> None:
        put_translations(book, typed, lang)
        rules.changed(book, me, now)

    update_project(kit, project_id, apply)
    flash(_("Saved. Someone else in the project needs to approve this before it is published."),
          "success")
    return redirect(url_for(".translate", project_id=project_id, lang=lang))


@bp.get("/pictures/<name>")
@login_required("researcher", scope="project")
def picture(project_id, name):
    """An Easy Read picture of the words being written (the public page has published ones inside)."""
    path = pictures.path_of(_folder(project_id), name)
    if path is None:
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=3600)
