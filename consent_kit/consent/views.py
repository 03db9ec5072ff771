"""The consent steps: choose a version, read, (plugin steps), check you understood, agree.

Consent is given into the participant's draft and written to the store only
when they send their answers, so stopping part-way leaves nothing behind.
The server, not the page order, decides: :func:`valid_consent` is checked
before every page of questions and again before anything is stored.
"""

from __future__ import annotations

import functools

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from consent_kit.clock import utc_now
from consent_kit.consent.records import consent_text, missing_required, wrong_answers
from consent_kit.i18n.localize import localize
from consent_kit.participation.drafts import current_draft, save_draft
from consent_kit.web.helpers import kit, load_survey

bp = Blueprint("consent", __name__, template_folder="templates")
bp.url_value_preprocessor(load_survey)

def language() -> str:
    """The language pages are shown in now."""
    return str(get_locale() or "en")


def text_for(survey, draft, lang: str | None = None):
    """The consent text this participant is shown: their version, in their language.

    ``lang`` asks for another language than the page's (the one consent was
    given in). Rendering Markdown and hashing it is the dearest part of a page,
    and the answer only changes with the survey's version, so it is built once
    per (survey version, variant, language) and kept for the app's lifetime.
    """
    variant = (draft.get("consent_variant") or "") if draft else ""
    key = (survey.version, variant, lang or language())
    cache = kit().consent_texts
    if key not in cache:
        if key[2] != language():
            survey = localize(kit().catalog.get(survey.id) or survey, key[2])
        cache[key] = consent_text(survey.consent, variant=variant, language=key[2])
    return cache[key]


def valid_consent(survey, draft) -> dict | None:
    """The consent in the draft if it was given to the text as it is now, else None.

    Consent given in one language still holds after the participant switches
    to another: it is checked against the text in the language they read.
    """
    if survey.consent is None:
        return None
    decision = draft.get("consent") if draft else None
    if not decision or decision.get("version") != text_for(survey, draft, decision.get("language")).version:
        return None
    return decision


def needs_consent(survey, draft) -> bool:
    """True when questions must wait until the participant agrees (again)."""
    return survey.consent is not None and valid_consent(survey, draft) is None


def first_step_url(survey) -> str:
    """Where the consent steps begin for this survey."""
    if survey.consent.variants:
        return url_for("consent.version", survey_id=survey.id)
    return url_for("consent.information", survey_id=survey.id)


def with_draft(view):
    """Give the view the survey and this browser's draft, or say the answers can't be found."""

    @functools.wraps(view)
    def wrapper(survey_id, **kwargs):
        draft = current_draft(g.survey)
        if draft is None:
            return render_template("participant/session_ended.html", survey=g.survey), 410
        return view(g.survey, draft, **kwargs)

    return wrapper


@bp.route("/s/<survey_id>/consent/version", methods=["GET", "POST"])
@with_draft
def version(survey, draft):
    """Choose the version of the information that is right for you (e.g. "under 16")."""
    choices = [("", None)] + [(v.id, v.label) for v in survey.consent.variants]
    error = ""
    if request.method == "POST":
        chosen = request.form.get("variant")
        if chosen in {c for c, _ in choices}:
            draft["consent_variant"] = chosen
            save_draft(draft)
            return redirect(url_for(".information", survey_id=survey.id))
        error = _("Choose the version you want to read")
    return render_template("consent/version.html", survey=survey, choices=choices, error=error,
                           chosen=draft.get("consent_variant"))


@bp.get("/s/<survey_id>/consent")
@with_draft
def information(survey, draft):
    """The information people read before agreeing, in short sections."""
    changed = bool(draft.get("consent")) and valid_consent(survey, draft) is None
    return render_template("consent/information.html", survey=survey, text=text_for(survey, draft),
                           changed=changed, next_url=_after_information(survey))


def _after_information(survey) -> str:
    steps = kit().consent_steps_for(survey)
    if steps:
        return url_for(".step", survey_id=survey.id, name=steps[0].name)
    return _after_steps(survey)


def _after_steps(survey) -> str:
    if survey.consent.checks:
        return url_for(".understanding", survey_id=survey.id)
    return url_for(".agree", survey_id=survey.id)


@bp.get("/s/<survey_id>/consent/step/<name>")
def step(survey_id, name):
    """A step a plugin adds, such as a video or audio explanation."""
    survey = g.survey
    steps = kit().consent_steps_for(survey)
    names = [s.name for s in steps]
    if name not in names:
        return redirect(_after_information(survey))
    position = names.index(name)
    following = (url_for(".step", survey_id=survey.id, name=names[position + 1])
                 if position + 1 < len(names) else _after_steps(survey))
    body = steps[position].render(survey=survey, language=language())
    return render_template("consent/step.html", survey=survey, step=steps[position], body=body,
                           next_url=following)


@bp.route("/s/<survey_id>/consent/check", methods=["GET", "POST"])
@with_draft
def understanding(survey, draft):
    """Check you understood. It teaches, never gates; nothing about the answers is kept.

    A wrong or blank answer shows the part of the information that explains it
    and the right answer, once. The page that explains carries a hidden
    ``explained`` field, so the next Continue goes on whatever is chosen:
    nobody can be held here, and no answer is written anywhere.
    """
    checks = survey.consent.checks
    if request.method == "POST":
        answers = {c.id: request.form.get(c.id, "") for c in checks}
        wrong = wrong_answers(checks, answers)
        if not wrong or request.form.get("explained") == "yes":
            return redirect(url_for(".agree", survey_id=survey.id))
    else:
        answers, wrong = {}, []
    sections = {section_id: (heading, body) for section_id, heading, body in text_for(survey, draft).sections}
    return render_template("consent/understanding.html", survey=survey, checks=checks,
                           answers=answers, wrong={c.id for c in wrong}, sections=sections)


@bp.route("/s/<survey_id>/consent/agree", methods=["GET", "POST"])
@with_draft
def agree(survey, draft):
    """The statements. Required ones must be agreed to take part; optional ones never stop anyone."""
    text = text_for(survey, draft)
    errors, form = [], request.form
    if request.method == "POST":
        agreed = {sid for sid, _, _ in text.statements if form.get(f"statement-{sid}") == "yes"}
        errors = _agree_errors(survey, text, agreed, form)
        if not errors:
            _keep_decision(survey, draft, text, agreed, form)
            return redirect(url_for("participant.begin_questions", survey_id=survey.id))
    return render_template("consent/agree.html", survey=survey, text=text, errors=errors,
                           form=form if request.method == "POST" else None)


def _agree_errors(survey, text, agreed, form) -> list[tuple[str, str]]:
    errors = []
    for sid in missing_required(text, agreed):
        statement = next(s for s in text.statements if s[0] == sid)
        # One short line (GOV.UK); the statement's own full stop would double up inside the quotes.
        errors.append((f"statement-{sid}", _("To take part, tick ‘%(statement)s’",
                                             statement=str(statement[1]).strip().rstrip(".!;:,"))))
    if survey.consent.confirm == "initials" and not form.get("confirmed_as", "").strip():
        errors.append(("confirmed_as", _("Type your first name or initials to say you agree")))
    return errors


def _keep_decision(survey, draft, text, agreed, form) -> None:
    kit().remember_consent_text(text)
    draft["consent"] = {
        "version": text.version,
        "variant": text.variant,
        "language": text.language,
        "agreed": [sid for sid, _, _ in text.statements if sid in agreed],
        "declined": [sid for sid, _, _ in text.statements if sid not in agreed],
        "method": survey.consent.confirm,
        # Typed initials are kept only when the survey asks for them.
        "confirmed_as": (form.get("confirmed_as", "").strip()[:60]
                         if survey.consent.confirm == "initials" else ""),
        "helped": (form.get("helped") == "yes") if survey.consent.ask_helped else None,
        "given_at": utc_now(),
    }
    save_draft(draft)

