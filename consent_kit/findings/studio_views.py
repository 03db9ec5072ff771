"""The findings page of a survey in the studio: write it, add counts and quotes, approve, publish.

Thin: the rules are in :mod:`consent_kit.findings.book`, what a page shows in
:mod:`consent_kit.findings.render`. Researchers and admins of the survey's
project may do everything here; a second member approves before publishing.
"""

from __future__ import annotations

import datetime as dt

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

from consent_kit.clock import utc_now
from consent_kit.findings import book as rules
from consent_kit.findings import contacts as people
from consent_kit.findings import picture_forms, pictures
from consent_kit.findings.advice import section_texts, text_advice
from consent_kit.findings.notify import tell_waiting
from consent_kit.findings.render import show_items
from consent_kit.findings.store import load, update, words
from consent_kit.i18n.gettext import readable_label
from consent_kit.i18n.languages import native_name
from consent_kit.i18n.localize import languages
from consent_kit.kit import current_kit
from consent_kit.results.views import min_group
from consent_kit.studio.rules import login_required

bp = Blueprint("findings_studio", __name__, template_folder="templates", url_prefix="/studio/surveys")

#: At most this many written answers are offered as quotes on one page.
QUOTE_OFFER_LIMIT = 300


def _survey(survey_id: str):
    survey = current_kit().catalog.get(survey_id)
    if survey is None:
        abort(404)
    return survey


def _me() -> str:
    return current_kit().current_user().username


@bp.get("/<survey_id>/findings")
@login_required("researcher", scope="survey")
def edit(survey_id):
    """The findings page as it is being written, with what a participant will see."""
    return _edit_page(_survey(survey_id))


def _edit_page(survey, errors=None, form=None, status=200, checked=None):
    kit = current_kit()
    book = load(kit, survey.id)
    shown = show_items(book["items"], survey, responses=lambda: kit.store.iter_responses(survey.id),
                       get_response=kit.store.get_response, get_consent=kit.store.get_consent,
                       min_group=min_group(), words=words(), easy=True,
                       picture_url=lambda item: url_for(".picture", survey_id=survey.id,
                                                        name=item["picture"]["name"]))
    return render_template(
        "findings/edit.html", survey=survey, project=kit.current_project(), book=book,
        advice=_section_advice(survey, book), checked=checked,
        heavy=pictures.heavy(book["items"]),
        waiting=kit.store.documents(people.TABLE).count(survey_id=survey.id),
        languages=[lang for lang in languages(survey) if lang != survey.language],
        language_names={lang: native_name(lang) for lang in languages(survey)},
        shown=shown, errors=errors or [], form=form or {}, me=_me(),
        approved=rules.approved_now(book), said_did=rules.said_did_in_order(book["said_did"]),
        chart_options=[(q.id, readable_label(q.label)) for q in rules.chart_questions(survey)],
        can_quote=bool(rules.quote_statements(survey)), words=words(), min_group=min_group(),
        today=dt.date.today().isoformat()), status


@bp.post("/<survey_id>/findings")
@login_required("researcher", scope="survey")
def change(survey_id):
    """Add, change, move or remove a part of the page, or a "You said, we did" entry."""
    survey = _survey(survey_id)
    kit = current_kit()
    book = load(kit, survey.id)
    action = request.form.get("action", "")
    handler = ACTIONS.get(action)
    if action == "check":  # "Check the words": advice on what was typed, nothing saved
        return _edit_page(survey, form=request.form, checked=_typed_advice(survey, request.form))
    if handler is None:
        return _edit_page(survey, [("action", _("What to do"), _("Choose what to do."))],
                          status=400)
    where = pictures.folder(current_app.instance_path, survey.id)
    form, upload = picture_forms.section_form(where, with_picture=action == "section")
    if upload:
        return _edit_page(survey, upload, form=request.form, status=400)
    problems = handler(book, survey, form)  # checked on the page as it was read
    if problems:
        picture_forms.forget_unsaved(where, form)  # kept for a part that wasn't saved
        return _edit_page(survey, problems, form=request.form, status=400)
    me, now = _me(), utc_now()

    def change_(fresh: dict) -> None:
        # The same change again on the page as it is now, under the store's lock: a change
        # someone saved in between is kept. Nothing is looked up in the store in here.
        handler(fresh, survey, form, check=False)
        rules.changed(fresh, me, now)

    apply, gone = picture_forms.tidying(change_, form)
    update(kit, survey.id, apply)
    picture_forms.forget(where, gone)  # pictures no version of the page uses any more
    flash(_("Saved. Someone else in the project needs to approve this before it is published."),
          "success")
    return redirect(url_for(".edit", survey_id=survey.id) + "#page")


def _labels() -> dict[str, str]:
    return {"heading": _("heading"), "text": _("text"), "easy_read": _("Easy Read")}


def _typed_advice(survey, form) -> list[str]:
    """Advice on the words typed in a section form, before it is saved."""
    texts = [(label, form.get(name, "")) for name, label in _labels().items()]
    return text_advice(current_kit().pm, survey, texts, where=_("This part"))


def _section_advice(survey, book: dict) -> dict[str, list[str]]:
    """Advice on each section of the page as saved, by the section's id."""
    pm = current_kit().pm
    return {item["id"]: text_advice(pm, survey, section_texts(item, _labels()),
                                    where=item.get("heading", ""))
            for item in book["items"] if item.get("kind") == "section"}


def _text(form, name: str, limit: int) -> str:
    return (form.get(name) or "").replace("\r\n", "\n").strip()[: limit + 1]


def _section(book, survey, form, check=True):
    heading, text = _text(form, "heading", rules.MAX_HEADING), _text(form, "text", rules.MAX_TEXT)
    problems = []
    if not heading or len(heading) > rules.MAX_HEADING:
        problems.append(("heading", _("Heading"), _("Write a short heading (up to %(n)d letters).",
                                                      n=rules.MAX_HEADING)))
    if not text or len(text) > rules.MAX_TEXT:
        problems.append(("text", _("Text"), _("Write the text of this part (up to %(n)d letters).",
                                                n=rules.MAX_TEXT)))
    if problems:
        return problems
    item_id = form.get("item_id", "") or form.get("new_id", "")
    item = _item(book, item_id)
    if item is None and form.get("item_id"):
        return _missing(check)
    if item is None:
        item = {"id": form.get("new_id") or rules.new_id(), "kind": "section"}
        book["items"].append(item)
    elif item["kind"] != "section":
        return _missing(check)
    item.update(heading=heading, text=text,
                easy_read=_text(form, "easy_read", rules.MAX_TEXT)[:rules.MAX_TEXT],
                picture_alt=_text(form, "picture_alt", rules.MAX_HEADING)[:rules.MAX_HEADING])
    if form.get("picture_name"):
        item["picture"] = {key: form[f"picture_{key}"] if key == "name" else int(form[f"picture_{key}"])
                           for key in ("name", "width", "height", "bytes")}
    elif form.get("remove_picture"):
        item.pop("picture", None)
    return []


def _counts(book, survey, form, check=True):
    question_id, kind = form.get("question_id", ""), form.get("kind", "")
    if question_id not in {q.id for q in rules.chart_questions(survey)}:
        return [("question_id", _("Question"), _("Choose a question with answers to pick from."))]
    if kind not in ("chart", "table"):
        return [("kind", _("Show it as"), _("Choose a chart or a table."))]
    book["items"].append({"id": rules.new_id(), "kind": kind, "question_id": question_id})
    return []


def _quote(book, survey, form, check=True):
    """Add a quote, after checking again that its person agreed to be quoted and hasn't withdrawn."""
    response_id, question_id = form.get("response_id", ""), form.get("question_id", "")
    if check and _quotable(survey, response_id, question_id) is None:
        return [("quotes", _("Quote"), _(
            "You can't use these words: the person did not agree to be quoted, or took their "
            "answers back."))]
    if any(i.get("response_id") == response_id and i.get("question_id") == question_id
           for i in book["items"]):
        return [("quotes", _("Quote"), _("This quote is on the page already."))] if check else []
    book["items"].append({"id": rules.new_id(), "kind": "quote", "response_id": response_id,
                          "question_id": question_id})
    return []


def _quotable(survey, response_id: str, question_id: str) -> str | None:
    """The words of an answer that may be quoted now, or None."""
    kit = current_kit()
    response = kit.store.get_response(response_id)
    record = kit.store.get_consent(response.pseudonym) if response and response.pseudonym else None
    return rules.quote_text(survey, response, record, question_id)


def _missing(check: bool) -> list:
    """An item the form names isn't there: "not found" when checking; already gone when applying."""
    if check:
        abort(404)
    return []


def _item(book, item_id):
    return next((i for i in book["items"] if i.get("id") == item_id), None)


def _remove(book, survey, form, check=True):
    item = _item(book, form.get("item_id", ""))
    if item is None:
        return _missing(check)
    book["items"].remove(item)
    return []


def _move(step: int):
    def move(book, survey, form, check=True):
        item = _item(book, form.get("item_id", ""))
        if item is None:
            return _missing(check)
        items = book["items"]
        index = items.index(item)
        target = min(max(index + step, 0), len(items) - 1)
        items.insert(target, items.pop(index))
        return []
    return move


def _said_did(book, survey, form, check=True):
    said, did = _text(form, "said", rules.MAX_SAID_DID), _text(form, "did", rules.MAX_SAID_DID)
    problems = []
    try:
        day = dt.date.fromisoformat(form.get("date", "").strip()).isoformat()
    except ValueError:
        day = ""
        problems.append(("date", _("Date"), _("Enter a date like 2026-11-26 (year, month, day).")))
    for name, value, label in (("said", said, _("You said")), ("did", did, _("We did"))):
        if not value or len(value) > rules.MAX_SAID_DID:
            problems.append((name, label, _("Write what goes here (up to %(n)d letters).",
                                            n=rules.MAX_SAID_DID)))
    if not problems:
        book["said_did"].append({"id": rules.new_id(), "date": day, "said": said, "did": did})
    return problems


def _remove_said_did(book, survey, form, check=True):
    before = len(book["said_did"])
    book["said_did"] = [e for e in book["said_did"] if e.get("id") != form.get("entry_id")]
    return _missing(check) if len(book["said_did"]) == before else []


def _promise(book, survey, form, check=True):
    words_ = _text(form, "promise", rules.MAX_PROMISE)
    if len(words_) > rules.MAX_PROMISE:
        return [("promise", _("When"), _("Keep it short (up to %(n)d letters).",
                                          n=rules.MAX_PROMISE))]
    book["promise"] = words_
    return []


ACTIONS = {"section": _section, "counts": _counts, "quote": _quote, "remove": _remove,
           "up": _move(-1), "down": _move(1), "said_did": _said_did,
           "remove_said_did": _remove_said_did, "promise": _promise}


@bp.get("/<survey_id>/findings/quotes")
@login_required("researcher", scope="survey")
def quotes(survey_id):
    """Written answers that may be quoted: only from people who agreed to be quoted."""
    survey = _survey(survey_id)
    kit = current_kit()
    questions = rules.quotable_questions(survey)
    found: dict[str, list] = {q.id: [] for q in questions}
    count = 0
    for response in kit.store.iter_responses(survey.id):
        record = kit.store.get_consent(response.pseudonym) if response.pseudonym else None
        for question in questions:
            text = rules.quote_text(survey, response, record, question.id)
            if text is not None:
                found[question.id].append((response.id, text))
                count += 1
        if count >= QUOTE_OFFER_LIMIT:
            break
    # By the words, never in the order they came, which could tie words to a time.
    offered = [(q, sorted(found[q.id], key=lambda o: o[1].casefold())) for q in questions if found[q.id]]
    return render_template("findings/quotes.html", survey=survey, project=kit.current_project(),
                           offered=offered, count=count, limit=QUOTE_OFFER_LIMIT,
                           can_quote=bool(rules.quote_statements(survey)))


@bp.post("/<survey_id>/findings/publish")
@login_required("researcher", scope="survey")
def publish(survey_id):
    """Approve the page (someone other than the last to change it), publish it, or take it down."""
    survey = _survey(survey_id)
    kit = current_kit()
    action, me, now = request.form.get("action", ""), _me(), utc_now()
    messages = {"approve": _("You approved the findings page. It can be published now."),
                "publish": _("The findings page is published. People who took part can see it now."),
                "unpublish": _("The findings page is taken down. People will see "
                               "that it is not ready yet.")}
    step = rules.publishing_step(action, me, now)
    if step is None:
        abort(400)
    (change_, done), message = step, messages[action]
    apply, gone = picture_forms.tidying(change_)  # a page taken down, or an older one replaced
    try:
        update(kit, survey.id, apply)
    except rules.FindingsError as error:
        return _edit_page(survey, [("publish", _("Publish"), REFUSALS[error.reason]())], status=400)
    picture_forms.forget(pictures.folder(current_app.instance_path, survey.id), gone)
    kit.store.audit(actor=me, action=f"findings_{action}", subject=survey.id,
                    details={"revision": done[0]})
    if action == "publish":  # the people who asked to hear: notifier plugins, else the list
        tell_waiting(kit, survey.id, url_for("findings.page", survey_id=survey.id, _external=True),
                     actor=me)
    flash(message, "success")
    return redirect(url_for(".edit", survey_id=survey.id))


REFUSALS = {
    "nothing": lambda: _("There is nothing on the page to approve yet."),
    "own_change": lambda: _("You made the last change, so someone else in the project needs to "
                            "approve it."),
    "already": lambda: _("This version is approved already."),
    "not_approved": lambda: _("Someone else in the project needs to approve the page before it "
                              "is published."),
}


@bp.get("/<survey_id>/findings/pictures/<name>")
@login_required("researcher", scope="survey")
def picture(survey_id, name):
    """An Easy Read picture of the page being written (the public page serves published ones)."""
    survey = _survey(survey_id)
    path = pictures.path_of(pictures.folder(current_app.instance_path, survey.id), name)
    if path is None:
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=3600)
