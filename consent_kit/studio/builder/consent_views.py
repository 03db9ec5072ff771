"""The builder's consent pages: ask for consent or not, information sections, statements.

Registered on the builder's blueprint (:mod:`.builder_support`); the
operations are in :mod:`consent_kit.studio.builder.consent_ops`.
"""

from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _

from consent_kit.studio.auth import not_found
from consent_kit.studio.builder import consent_ops, support_ops
from consent_kit.studio.builder import forms as form_read
from consent_kit.studio.builder.ops import BuilderError
from consent_kit.studio.builder.view_support import (
    CHANGE_FAILED,
    advice_for,
    bp,
    change_errors,
    done,
    editing_or_404,
    render,
    save_change,
    uploaded_picture,
)
from consent_kit.studio.rules import login_required


@bp.route("/surveys/<survey_id>/build/consent", methods=["GET", "POST"])
@login_required("researcher", scope="survey")
def consent(survey_id):
    """Whether people agree before answering, and how they say they agree."""
    ed = editing_or_404(survey_id)
    errors = []
    if request.method == "POST":
        action, form = request.form.get("action", ""), request.form
        try:
            if action == "add":
                save_change(ed, consent_ops.add_consent)
            elif action == "remove":
                save_change(ed, consent_ops.remove_consent)
            else:
                save_change(ed, lambda d: consent_ops.set_consent_options(
                    d, confirm_with=form_read.words(form, "confirm_with"),
                    ask_if_helped=form_read.ticked(form, "ask_if_helped")))
        except CHANGE_FAILED as error:
            errors = change_errors(error, "confirm_with")
        else:
            messages = {"add": _("People will now be asked to agree before they answer. "
                                 "Change the starting words below to your own."),
                        "remove": _("People will no longer be asked to agree first.")}
            return done(messages.get(action, _("Saved how people agree.")), survey_id,
                        "#consent")
    return render("builder/consent.html", ed, errors=errors,
                  consent=consent_ops.consent_of(ed.definition))


@bp.route("/surveys/<survey_id>/build/consent/<kind>/<item_id>", methods=["GET", "POST"])
@login_required("researcher", scope="survey")
def consent_item(survey_id, kind, item_id):
    """Write or change one information section or statement (``item_id`` "new" adds one)."""
    ed = editing_or_404(survey_id)
    if kind not in consent_ops.KINDS or consent_ops.consent_of(ed.definition) is None:
        abort(not_found())
    item = {}
    if item_id != "new":
        try:
            item = consent_ops.find_item(ed.definition, kind, item_id)[1]
        except BuilderError:
            abort(not_found())
    errors = []
    if request.method == "POST":
        form = request.form
        words = {"heading": form_read.words(form, "heading"),
                 "text": form_read.words(form, "text")}
        if kind == "statement":
            # Asked with no answer chosen: an optional statement made required by default
            # once blocked people who said no (issue 14).
            words["required"] = form.get("required") == "yes"
            words["allows_quotes"] = form_read.ticked(form, "allows_quotes")
        try:
            if kind == "section":
                words["easy_read"] = _easy_read_typed(survey_id, item_id, form)
                words["bsl"] = form_read.words(form, "bsl")
            if kind == "statement" and form.get("required") not in ("yes", "no"):
                raise BuilderError(_("Choose whether people have to agree to this to take "
                                     "part."), "required")
            if item_id == "new":
                save_change(ed, lambda d: consent_ops.add_item(d, kind, words)[0])
            else:
                save_change(ed, lambda d: consent_ops.edit_item(d, kind, item_id, words))
        except CHANGE_FAILED as error:
            errors = change_errors(error, _field_of(error))
        else:
            return done(_("Saved."), survey_id, "#consent")
    return render("builder/consent_item.html", ed, errors=errors, kind=kind, item=item,
                  item_id=item_id, advice=advice_for(ed, item_id) if item_id != "new" else [])


def _field_of(error: Exception) -> str:
    """The field an error summary links to: the video link when the loader refused it."""
    problems = getattr(error, "problems", None) or []
    return "bsl" if any("'bsl:'" in str(p.message) for p in problems) else "text"


def _easy_read_typed(survey_id: str, item_id: str, form) -> dict:
    """A section's Easy Read words and picture as typed, with an uploaded picture kept."""
    image = uploaded_picture(survey_id, f"section-{item_id}") or (
        "" if form_read.ticked(form, "remove_picture") else form_read.words(form, "easy_read_image"))
    if image and not form_read.words(form, "easy_read_alt"):
        raise BuilderError(_("Say what the picture shows, for people who can't see it."),
                           "easy_read_alt")
    return {"words": form_read.words(form, "easy_read"), "image": image,
            "alt": form_read.words(form, "easy_read_alt")}


#: Empty rows under the services, for adding more without JavaScript.
NEW_CONTACT_ROWS = 2


@bp.route("/surveys/<survey_id>/build/support", methods=["GET", "POST"])
@login_required("researcher", scope="survey")
def support(survey_id):
    """The support page: a kind introduction and the services people can turn to."""
    ed = editing_or_404(survey_id)
    errors = []
    if request.method == "POST":
        form = request.form
        count = min(int(form["rows"]), 50) if form.get("rows", "").isdigit() else 0
        rows = [{key: form_read.words(form, f"contact-{n}-{key}")
                 for key in support_ops.CONTACT_WORDS + support_ops.CONTACT_PLAIN}
                for n in range(count)]
        try:
            save_change(ed, lambda d: support_ops.set_support(
                d, form_read.words(form, "intro"), rows))
        except CHANGE_FAILED as error:
            errors = change_errors(error, "intro")
        else:
            return done(_("Saved the support page."), survey_id, "#support")
    support_ = ed.definition.get("support") if isinstance(ed.definition.get("support"),
                                                          dict) else {}
    contacts = [c for c in support_.get("contacts") or [] if isinstance(c, dict)]
    return render("builder/support.html", ed, errors=errors, intro=support_.get("intro"),
                  contacts=contacts + [{}] * NEW_CONTACT_ROWS)
