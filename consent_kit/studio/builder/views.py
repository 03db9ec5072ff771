"""The survey builder: edit a survey's pages, questions, choices and skip logic in the browser.

Thin views over :mod:`consent_kit.studio.builder`: each reads its form field by
field, calls one operation, has the result checked by the real loader
(:func:`.builder_support.save_change`) and keeps it as the draft. A change the
loader refuses is shown with the loader's words, and the form keeps what was
typed. Works without JavaScript: every button is a form. Consent parts,
publishing and preview are in :mod:`.builder_consent`, :mod:`.builder_publish`
and :mod:`.builder_preview`.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from consent_kit.studio import importing  # noqa: F401 (the Import page registers on the blueprint)
from consent_kit.studio.auth import not_found
from consent_kit.studio.builder import choices as choice_ops
from consent_kit.studio.builder import (  # noqa: F401 (their pages register on the blueprint)
    consent_ops,
    consent_views,
    incentive_ops,
    media,
    ops,
    preview_views,
    publish_check_views,
    publish_views,
    settings_views,
    support_ops,
)
from consent_kit.studio.builder import forms as form_read
from consent_kit.studio.builder.ops import BuilderError
from consent_kit.studio.builder.texts import text_of
from consent_kit.studio.builder.view_support import (
    CHANGE_FAILED,
    OPTION_WORDS,
    advice_for,
    bp,
    change_errors,
    done,
    editing_or_404,
    render,
    save_change,
    type_choices,
    uploaded_picture,
)
from consent_kit.studio.rules import login_required
from consent_kit.survey.load.conditions import many_answers
from consent_kit.survey.load.values import default_choices
from consent_kit.survey.model import PREFER_NOT_TO_SAY
from consent_kit.web.helpers import kit

__all__ = ["bp"]


@bp.route("/surveys/<survey_id>/build/details", methods=["GET", "POST"])
@login_required("researcher", scope="survey")
def details(survey_id):
    """The survey's title, description, how long it takes, "Leave this page", its dates and contact."""
    ed = editing_or_404(survey_id)
    errors = []
    if request.method == "POST":
        form = request.form
        try:
            save_change(ed, lambda d: _details_change(d, form))
        except CHANGE_FAILED as error:
            errors = change_errors(error, "title")
        else:
            return done(_("Saved the survey's details."), survey_id)
    return render("builder/details.html", ed, errors=errors, advice=advice_for(ed),
                  aims="plain_language" in kit().question_types.settings.keys())


def _details_change(definition: dict, form) -> dict:
    """Every setting of the details page, applied in one go (checked once, kept once)."""
    changed = support_ops.set_promises(ops.set_details(
        definition, title=form_read.words(form, "title"),
        description=form_read.words(form, "description"),
        time_to_complete=form_read.words(form, "time_to_complete"),
        exit_page=form_read.words(form, "exit_page")),
        closes=form_read.words(form, "closes"),
        withdraw_until=form_read.words(form, "withdraw_until"),
        contact=form_read.words(form, "contact"))
    if "reading_age" in form:  # only when the plain-language plugin is on
        changed = incentive_ops.set_reading_age(changed, form_read.words(form, "reading_age"))
    return changed


@bp.route("/surveys/<survey_id>/build/pages/new", methods=["GET", "POST"])
@login_required("researcher", scope="survey")
def page_new(survey_id):
    """Add a page, with its first question (or the words of an information page)."""
    ed = editing_or_404(survey_id)
    after = request.values.get("after", "")
    errors = []
    if request.method == "POST":
        form = request.form
        added: list[str] = []

        def change(definition):
            changed, page_id = ops.add_page(
                definition, title=form_read.words(form, "page_title"), first_question=question,
                after=after or None)
            added.append(page_id)
            return changed

        try:
            question = _new_question_from(ed.definition, form)
            save_change(ed, change)
        except CHANGE_FAILED as error:
            errors = change_errors(error, "label")
        else:
            if form.get("then") == "another":  # one step less per page for a new survey
                flash(_("Added the page. Now add the next one."), "success")
                return redirect(url_for(".page_new", survey_id=survey_id, after=added[-1]))
            return done(_("Added the page."), survey_id, f"#q-{question['id']}")
    return render("builder/add.html", ed, errors=errors, types=type_choices(), new_page=True,
                  after=after, chosen_type=request.values.get("type", ""))


@bp.route("/surveys/<survey_id>/build/pages/<page_id>/questions/new", methods=["GET", "POST"])
@login_required("researcher", scope="survey")
def question_new(survey_id, page_id):
    """Add a question to a page: choose its type from a list, then write it."""
    ed = editing_or_404(survey_id)
    page = _page_or_404(ed, page_id)
    errors = []
    if request.method == "POST":
        try:
            question = _new_question_from(ed.definition, request.form)
            save_change(ed, lambda d: ops.add_question(d, page_id, question)[0])
        except CHANGE_FAILED as error:
            errors = change_errors(error, "label")
        else:
            done(_("Added the question. You can add more to it here."), survey_id)
            return redirect(url_for(".question", survey_id=survey_id,
                                    question_id=question["id"]))
    return render("builder/add.html", ed, errors=errors, types=type_choices(), new_page=False,
                  page=page, chosen_type=request.values.get("type", ""))


def _new_question_from(definition: dict, form) -> dict:
    type_name = form_read.words(form, "type")
    if type_name not in kit().question_types:
        raise BuilderError(_("Choose what kind of question it is."), "type")
    choices = form_read.words(form, "choices").split("\n")
    if not kit().question_types[type_name].needs_choices:
        choices = []
    return ops.new_question(definition, type_name=type_name,
                            label=form_read.words(form, "label"), choices=choices)


def _page_or_404(ed, page_id: str) -> dict:
    try:
        return ops.find_page(ed.definition, page_id)[1]
    except BuilderError:
        abort(not_found())


@bp.route("/surveys/<survey_id>/build/pages/<page_id>", methods=["GET", "POST"])
@login_required("researcher", scope="survey")
def page(survey_id, page_id):
    """A page's title, and when to show it (skip logic in words)."""
    ed = editing_or_404(survey_id)
    page_ = _page_or_404(ed, page_id)
    index = ops.find_page(ed.definition, page_id)[0]
    errors = []
    if request.method == "POST":
        form = request.form
        try:
            on, operator, value = form_read.condition(form)
            save_change(ed, lambda d: choice_ops.set_condition(
                ops.edit_page(d, page_id, title=form_read.words(form, "page_title")),
                page_id=page_id, on=on, operator=operator, value=value))
        except CHANGE_FAILED as error:
            errors = change_errors(error, "page_title")
        else:
            return done(_("Saved the page."), survey_id, f"#page-{page_id}")
    return render("builder/page.html", ed, errors=errors, page=page_, page_id=page_id,
                  earlier=earlier_questions(ed, index), advice=advice_for(ed, page_id))


@bp.route("/surveys/<survey_id>/build/questions/<question_id>", methods=["GET", "POST"])
@login_required("researcher", scope="survey")
def question(survey_id, question_id):
    """Everything about one question: words, type, choices, limits and skip logic."""
    ed = editing_or_404(survey_id)
    try:
        page_, _index, question_ = ops.find_question(ed.definition, question_id)
    except BuilderError:
        abort(not_found())
    page_index = ops.pages_of(ed.definition).index(page_)
    errors, rows = [], choice_ops.choice_rows(question_, ed.language)
    if request.method == "POST":
        rows, action = form_read.choice_rows(request.form)
        rows = form_read.apply_choice_action(rows, action)
        try:
            new_id = _save_question(ed, question_id, rows)
        except CHANGE_FAILED as error:
            errors = change_errors(error, "label")
        else:
            if action is not None or "add_choices" in request.form:
                return redirect(url_for(".question", survey_id=survey_id, question_id=new_id)
                                + "#choices")
            return done(_("Saved the question."), survey_id, f"#q-{new_id}")
    # After a refused change, the page is for the type just chosen (say, now with choices).
    shown_type = request.form.get("type") if errors else question_.get("type", "")
    qtype = kit().question_types.get(str(shown_type)) or kit().question_types.get(
        str(question_.get("type", "")))
    return render("builder/question.html", ed, errors=errors, question=question_,
                  question_id=question_id, qtype=qtype, rows=rows,
                  type_options=[(n, label) for n, label, _d in type_choices()],
                  earlier=earlier_questions(ed, page_index), option_words=OPTION_WORDS,
                  advice=advice_for(ed, question_id), new_rows=form_read.NEW_CHOICE_ROWS)


def _save_question(ed, question_id: str, rows) -> str:
    form, types = request.form, kit().question_types
    type_name = form_read.words(form, "type")
    qtype = types.get(type_name)
    if qtype is None:
        raise BuilderError(_("Choose what kind of question it is."), "type")
    others = {n for t in types for n in t.option_names} - set(qtype.option_names)
    fields = {"type": type_name, "label": form_read.words(form, "label"),
              "help": form_read.words(form, "help"), "id": form_read.words(form, "id"),
              "required": form_read.ticked(form, "required"),
              "prefer_not_to_say": form_read.ticked(form, "prefer_not_to_say"),
              "options": form_read.options(form, qtype.option_names)}
    limits = form_read.limits(form) if qtype.takes_answer else {}
    on, operator, value = form_read.condition(form)
    new_id = fields["id"] or question_id
    image = uploaded_picture(ed.survey_id, new_id) or (
        "" if form_read.ticked(form, "remove_picture") else form_read.words(form, "easy_read_image"))
    if image and not form_read.words(form, "easy_read_alt"):
        raise BuilderError(_("Say what the picture shows, for people who can't see it."),
                           "easy_read_alt")
    takes_choices = qtype.needs_choices or bool(default_choices(qtype))

    def change(definition):
        """Every part of the form, applied in one go (checked once, kept once)."""
        changed = choice_ops.set_choices(definition, question_id, rows if takes_choices else [])
        changed = ops.edit_question(changed, question_id, fields, drop_options=others,
                                    takes_answer=qtype.takes_answer,
                                    takes_choices=takes_choices)
        if qtype.takes_answer:
            changed = choice_ops.set_limits(changed, new_id, limits,
                                     form_read.words(form, "limit_message"))
        changed = media.set_easy_read(changed, new_id, words=form_read.words(form, "easy_read"),
                                      image=image, alt=form_read.words(form, "easy_read_alt"))
        changed = media.set_sign_language(changed, new_id, form_read.words(form, "bsl"))
        return choice_ops.set_condition(changed, question_id=new_id, on=on, operator=operator,
                                 value=value)

    save_change(ed, change)
    return new_id


def earlier_questions(ed, page_index: int) -> list[dict]:
    """The questions people answer on pages before ``page_index``: what skip logic can use."""
    found, types = [], kit().question_types
    for index, _page, _position, item in ops.iter_questions(ed.definition):
        if index >= page_index:
            break
        qtype = types.get(str(item.get("type", "")))
        if qtype is None or not qtype.takes_answer:
            continue
        choices = [(v, label) for v, label, _hint in choice_ops.choice_rows(item, ed.language)]
        choices = choices or [(c.value, c.label) for c in default_choices(qtype)]
        if item.get("prefer_not_to_say") is True and choices:
            choices.append((PREFER_NOT_TO_SAY, _("Prefer not to say")))
        found.append({"id": str(item.get("id", "")), "choices": choices,
                      "label": text_of(item.get("label"), ed.language),
                      "many": many_answers(qtype)})
    return found


@bp.post("/surveys/<survey_id>/build/move")
@login_required("researcher", scope="survey")
def move(survey_id):
    """Move a page, question, information section or statement up or down."""
    ed = editing_or_404(survey_id)
    what, item_id = request.form.get("what", ""), request.form.get("id", "")
    try:
        step = form_read.step(request.form)
        save_change(ed, lambda d: _mover(what)(d, item_id, step))
    except CHANGE_FAILED as error:
        for _anchor, _label, message in change_errors(error):
            flash(message, "error")
        return redirect(url_for(".overview", survey_id=survey_id))
    return done(_("Moved."), survey_id, f"#{_anchor_of(what, item_id)}")


def _mover(what: str):
    movers = {"page": ops.move_page, "question": ops.move_question,
              "section": lambda d, i, s: consent_ops.move_item(d, "section", i, s),
              "statement": lambda d, i, s: consent_ops.move_item(d, "statement", i, s)}
    if what not in movers:
        raise BuilderError(_("That can't be moved."))
    return movers[what]


def _anchor_of(what: str, item_id: str) -> str:
    return {"page": "page-", "question": "q-", "section": "section-",
            "statement": "statement-"}.get(what, "") + item_id


@bp.post("/surveys/<survey_id>/build/delete")
@login_required("researcher", scope="survey")
def delete(survey_id):
    """Delete a page, question, section or statement, after asking "Are you sure?"."""
    ed = editing_or_404(survey_id)
    what, item_id = request.form.get("what", ""), request.form.get("id", "")
    deleters = {"page": ops.delete_page, "question": ops.delete_question,
                "section": lambda d, i: consent_ops.delete_item(d, "section", i),
                "statement": lambda d, i: consent_ops.delete_item(d, "statement", i)}
    if what not in deleters:
        return done(_("Nothing was deleted."), survey_id)
    errors = []
    if request.form.get("confirm") == "yes":
        try:
            save_change(ed, lambda d: deleters[what](d, item_id))
        except CHANGE_FAILED as error:
            errors = change_errors(error, "confirm")
        else:
            return done(_("Deleted."), survey_id)
    return render("builder/delete.html", ed, errors=errors, what=what, item_id=item_id,
                  name=_name_of(ed, what, item_id))


def _name_of(ed, what: str, item_id: str) -> str:
    try:
        if what == "page":
            found = ops.find_page(ed.definition, item_id)[1]
            return text_of(found.get("title"), ed.language) or item_id
        if what == "question":
            return text_of(ops.find_question(ed.definition, item_id)[2].get("label"),
                           ed.language)
        item = consent_ops.find_item(ed.definition, what, item_id)[1]
        return text_of(item.get("heading") or item.get("text"), ed.language)
    except BuilderError:
        return item_id

