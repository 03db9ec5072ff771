"""The builder's pages for what a survey file can say beyond its questions (issue 14 §2).

* **Thank-you payments**: the reward, the amount, the ways to claim, the
  limits, what happens when people stop early, and voucher codes uploaded
  into the survey's pool (the same pool as the budget's claims page).
* **Languages**: every text of the survey beside a box for its words in a
  chosen language.
* **What people read**: every information section on one page, with a
  new statement (required or not, and whether people may be quoted).

Thin views over :mod:`.incentive_ops`, :mod:`.translation_ops` and
:mod:`.consent_ops`; each change is checked by the loader like every other.
"""

from __future__ import annotations

from flask import abort, current_app, redirect, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consent_kit.studio.auth import audit, not_found
from consent_kit.studio.builder import consent_ops, incentive_ops, translation_ops
from consent_kit.studio.builder import forms as form_read
from consent_kit.studio.builder.ops import BuilderError, iter_questions
from consent_kit.studio.builder.view_support import (
    CHANGE_FAILED,
    advice_for,
    bp,
    change_errors,
    done,
    editing_or_404,
    render,
    save_change,
    workspace,
)
from consent_kit.studio.rules import login_required

#: The built-in ways to claim, as researchers read them (a plugin's way shows its own label).
WAY_WORDS = {
    "voucher": _l("A voucher code on the screen, from codes you upload"),
    "contact": _l("They leave an email address or phone number, and you pay them later"),
    "in_person": _l("A collection code to show you, and you hand it over in person"),
}
STOP_WORDS = (("ask", _l("They ask one of the researchers for it")),
              ("claim", _l("They can claim it on the page where they stop")),
              ("nothing", _l("Only people who finish get one (say why below)")))
#: Languages offered first on the Languages page (any other code can be typed).
COMMON_LANGUAGES = (("cy", "Cymraeg (Welsh)"), ("ar", "العربية (Arabic)"),
                    ("pl", "Polski (Polish)"), ("ur", "اردو (Urdu)"), ("so", "Soomaali (Somali)"),
                    ("ro", "Română (Romanian)"), ("pa", "ਪੰਜਾਬੀ (Punjabi)"),
                    ("bn", "বাংলা (Bengali)"), ("gd", "Gàidhlig (Scottish Gaelic)"),
                    ("ga", "Gaeilge (Irish)"))


def back_to_check(survey_id: str, message: str, anchor: str = ""):
    """After a change: back to "Check before you publish" when the person came from there."""
    if request.values.get("next") == "check":
        done(message, survey_id)
        return redirect(url_for("builder.publish", survey_id=survey_id))
    return done(message, survey_id, anchor)


# -- thank-you payments --------------------------------------------------------------


def _incentives():
    """The incentives plugin's records and ways to claim, or None when it is turned off."""
    return current_app.extensions.get("consent_kit_incentives")


def _ways() -> list[tuple[str, str]]:
    providers = getattr(_incentives(), "providers", {}) or {}
    return [(name, str(WAY_WORDS.get(name) or getattr(p, "label", "") or name))
            for name, p in providers.items()]


def _typed_incentive(form) -> incentive_ops.Incentive:
    return incentive_ops.Incentive(
        reward=form_read.words(form, "reward"), amount=form_read.words(form, "amount"),
        currency=form_read.words(form, "currency"), ways=form.getlist("ways"),
        first=form_read.words(form, "first"),
        while_budget_allows=form_read.ticked(form, "while_budget_allows"),
        if_you_stop=form_read.words(form, "if_you_stop"), because=form_read.words(form, "because"))


@bp.route("/surveys/<survey_id>/build/thank-you", methods=["GET", "POST"])
@login_required("researcher", scope="survey")
def thank_you(survey_id):
    """A thank-you payment for taking part: what, how much, how people claim it, and codes."""
    ed = editing_or_404(survey_id)
    state = _incentives()
    if state is None:
        abort(not_found())
    errors = []
    if request.method == "POST":
        form = request.form
        try:
            if form.get("offer") == "no":
                save_change(ed, incentive_ops.remove_incentive)
                return back_to_check(survey_id, _("This survey offers no thank-you payment now."))
            codes = _uploaded_codes()  # read first: a bad file changes nothing
            save_change(ed, lambda d: incentive_ops.set_incentive(d, _typed_incentive(form)))
            added = _add_codes(survey_id, state, codes)
        except CHANGE_FAILED as error:
            errors = change_errors(error, "reward")
        else:
            message = _("Saved the thank-you payment.")
            if added is not None:
                message += " " + _("%(added)s voucher codes added. %(known)s were already there "
                                   "and were left as they were.", added=added[0], known=added[1])
            return back_to_check(survey_id, message, "#tasks")
    return render("builder/thank_you.html", ed, errors=errors, ways=_ways(),
                  stop_words=STOP_WORDS, incentive=incentive_ops.incentive_of(ed.definition) or {},
                  stock=state.records.voucher_stock(survey_id))


def _uploaded_codes() -> tuple[str, list[str]] | None:
    """The uploaded file's name and voucher codes (None when no file was chosen)."""
    from consent_kit.incentives.files import VoucherFileError, read_voucher_codes

    upload = request.files.get("codes")
    if upload is None or not upload.filename:
        return None
    try:
        return upload.filename, read_voucher_codes(upload.read(), upload.filename)
    except VoucherFileError as error:  # its words are marked for translation there
        raise BuilderError(error.template, "codes", **error.params) from None


def _add_codes(survey_id: str, state, codes) -> tuple[int, int] | None:
    """Voucher codes into the survey's pool (the budget's claims page uses the same one)."""
    from consent_kit.incentives.store import today

    if codes is None:
        return None
    filename, found = codes
    added, known = state.records.add_vouchers(survey_id, found, batch=f"{filename} {today()}")
    audit("vouchers_added", survey_id, {"survey": survey_id, "added": added, "known": known})
    return added, known


# -- languages -----------------------------------------------------------------------


@bp.route("/surveys/<survey_id>/build/languages", methods=["GET", "POST"])
@login_required("researcher", scope="survey")
def languages(survey_id):
    """Translate the survey: its words on the left, a box for the chosen language beside each."""
    ed = editing_or_404(survey_id)
    # Not "lang": that word in an address changes the language of the studio's own pages.
    errors, lang = [], request.values.get("language", "").strip()
    try:
        lang = translation_ops.check_language(ed.definition, lang) if lang else ""
    except BuilderError as error:
        errors, lang = change_errors(error, "language"), ""
    if request.method == "POST" and lang and not errors:
        typed = {key[len("t-"):]: value for key, value in request.form.items()
                 if key.startswith("t-")}
        try:
            save_change(ed, lambda d: translation_ops.set_translations(d, lang, typed))
        except CHANGE_FAILED as error:
            errors = change_errors(error, "language")
        else:
            return done(_("Saved the translation."), survey_id, "#tasks")
    rows = translation_ops.rows(ed.survey, lang) if lang and ed.survey is not None else []
    return render("builder/languages.html", ed, errors=errors, lang=lang, rows=rows,
                  common=_language_choices(ed), lang_name=_language_name(lang))


def _language_choices(ed) -> list[tuple[str, str]]:
    """The survey's languages so far, then the common ones (each once, its own not offered)."""
    from consent_kit.i18n.localize import languages as survey_languages

    have = survey_languages(ed.survey)[1:] if ed.survey is not None else ()
    offered = [(code, _language_name(code) or code) for code in have]
    offered += [pair for pair in COMMON_LANGUAGES if pair[0] not in have]
    return [pair for pair in offered if pair[0] != ed.language]


def _language_name(code: str) -> str:
    """A language's name in itself and in English, like "Cymraeg (Welsh)" ("" if unknown)."""
    known = dict(COMMON_LANGUAGES)
    if not code or code in known:
        return known.get(code, "")
    from consent_kit.i18n.languages import native_name

    return native_name(code) or ""


# -- Easy Read, pictures and sign language ---------------------------------------------


@bp.get("/surveys/<survey_id>/build/easy-read")
@login_required("researcher", scope="survey")
def easy_read(survey_id):
    """Which questions have Easy Read words, a picture and a sign language video, with links."""
    ed = editing_or_404(survey_id)
    rows = [{"id": str(item.get("id", "")), "label": item.get("label"),
             "words": isinstance(item.get("easy_read"), dict),
             "picture": bool((item.get("easy_read") or {}).get("image"))
             if isinstance(item.get("easy_read"), dict) else False,
             "sign": bool(item.get("bsl"))}
            for _index, _page, _position, item in iter_questions(ed.definition)]
    return render("builder/easy_read.html", ed, rows=rows)


@bp.get("/surveys/<survey_id>/build/picture/<path:name>")
@login_required("researcher", scope="survey")
def picture(survey_id, name):
    """A picture the draft uses (and nothing else in the forms folder), so people see what they chose."""
    ed = editing_or_404(survey_id)
    if name not in _pictures_in(ed.definition):
        abort(not_found())
    folder = workspace().forms.resolve()
    path = (folder / name).resolve()
    if folder not in path.parents or not path.is_file():
        abort(not_found())
    return send_file(path, max_age=0)


def _pictures_in(value) -> set[str]:
    """Every ``easy_read: image:`` in a definition."""
    if isinstance(value, dict):
        found = {str(value["easy_read"]["image"])} if isinstance(value.get("easy_read"), dict) and (
            value["easy_read"].get("image")) else set()
        return found.union(*(_pictures_in(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_pictures_in(v) for v in value))
    return set()


# -- what people read, all at once -----------------------------------------------------


@bp.route("/surveys/<survey_id>/build/consent/all", methods=["GET", "POST"])
@login_required("researcher", scope="survey")
def consent_all(survey_id):
    """Every information section on one page, and a new statement to agree to (optional)."""
    ed = editing_or_404(survey_id)
    if consent_ops.consent_of(ed.definition) is None:
        abort(not_found())
    sections = [s for s in consent_ops.items_of(ed.definition, "section") if isinstance(s, dict)]
    errors = []
    if request.method == "POST":
        form = request.form
        try:
            save_change(ed, lambda d: _apply_all(d, sections, form))
        except CHANGE_FAILED as error:
            errors = change_errors(error, "text-0")
        else:
            return back_to_check(survey_id, _("Saved what people read."), "#consent")
    return render("builder/consent_all.html", ed, errors=errors, sections=sections,
                  advice=advice_for(ed))


def _apply_all(definition: dict, sections: list[dict], form) -> dict:
    changed = definition
    for number, section in enumerate(sections):
        if f"text-{number}" not in form or not section.get("id"):
            continue
        changed = consent_ops.edit_item(changed, "section", str(section["id"]), {
            "heading": form_read.words(form, f"heading-{number}"),
            "text": form_read.words(form, f"text-{number}")})
    statement = form_read.words(form, "statement")
    if statement:
        if form.get("required") not in ("yes", "no"):
            raise BuilderError(_l("Choose whether people have to agree to this to take part."),
                               "required")
        changed = consent_ops.add_item(changed, "statement", {
            "text": statement, "required": form.get("required") == "yes",
            "allows_quotes": form_read.ticked(form, "allows_quotes")})[0]
    return changed
