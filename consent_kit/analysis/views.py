"""The studio's "Make sense of the answers" pages: themes, coding, agreement, counts, exports.

Thin: each view reads the form, calls the pure modules and renders. Rules:
viewers see the theme counts; researchers and admins keep the codebook, code,
compare and export. Every change to the codebook, every settled code, sample
and export goes in the audit log (never an answer's words).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from consent_kit import PREFER_NOT_TO_SAY, current_kit, login_required
from consent_kit.analysis import agreement
from consent_kit.analysis.codebook import THEMES, Codebook, ThemeError
from consent_kit.analysis.coding import Coding, text_answers
from consent_kit.analysis.exports import codes_csv, codes_xlsx, survey_qdpx
from consent_kit.clock import utc_now
from consent_kit.consent.quotes import quotable_words, quote_statements
from consent_kit.results.summary import DEFAULT_MIN_GROUP, hidden_counts, language_name

bp = Blueprint("analysis", __name__, url_prefix="/studio/surveys/<survey_id>/analysis",
               template_folder="templates")
TEXT_TYPES = ("short_text", "long_text")
UPLOAD_MAX = 200_000


# -- helpers ------------------------------------------------------------------------------------


def _survey(survey_id: str):
    survey = current_kit().catalog.get(survey_id)
    if survey is None:
        abort(404)
    return survey


def _questions(survey) -> list:
    return [q for q in survey.questions if q.type in TEXT_TYPES]


def _question(survey, question_id: str):
    found = next((q for q in _questions(survey) if q.id == question_id), None)
    if found is None:
        abort(404)
    return found


def _answers(survey_id: str, question_id: str):
    return text_answers(current_kit().store.iter_responses(survey_id), question_id,
                        skip=(PREFER_NOT_TO_SAY,))


def _me() -> str:
    return current_kit().current_user().username


def _audit(action: str, survey_id: str, details: dict) -> None:
    current_kit().store.audit(actor=f"user:{_me()}", action=action, subject=survey_id,
                              details=details)


def _codebook() -> Codebook:
    return Codebook(current_kit().store.documents(THEMES))


def _coding() -> Coding:
    return Coding(current_kit().store)


def _min_group() -> int:
    return max(1, int(current_app.config.get("RESULTS_MIN_GROUP", DEFAULT_MIN_GROUP)))


def _can_code() -> bool:
    return current_kit().current_role() in ("researcher", "admin")


# -- overview: theme counts (everyone in the project) -------------------------------------------


@bp.get("")
@login_required("viewer", scope="survey")
def overview(survey_id):
    """Each free-text question with its themes counted, small numbers hidden."""
    survey = _survey(survey_id)
    themes = _codebook().themes(survey_id)
    by = request.args.get("by", "")
    tables = [_count_table(survey_id, q, themes, by) for q in _questions(survey)]
    return render_template("analysis/overview.html", survey=survey, tables=tables, themes=themes,
                           by=by, can_code=_can_code(), min_group=_min_group())


def _count_table(survey_id: str, question, themes: list, by: str) -> dict:
    answers = _answers(survey_id, question.id)
    groups = {"": answers}
    if by in ("language", "source"):
        groups = {}
        for answer in answers:
            groups.setdefault(getattr(answer, by), []).append(answer)
    columns = []
    for key, members in sorted(groups.items()):
        counts = _coding().theme_counts(survey_id, question.id, members)
        values = [counts.get(t.id, 0) for t in themes]
        hide = hidden_counts(values, _min_group()) if len(members) >= _min_group() else [True] * len(values)
        columns.append({"label": _group_label(by, key), "total": len(members),
                        "cells": list(zip(values, hide, strict=True))})
    mine = _coding().by_coder(survey_id, question.id, _me()) if _can_code() else {}
    return {"question": question, "answers": len(answers), "columns": columns,
            "coded_by_me": sum(1 for a in answers if a.response_id in mine),
            "quotes": _quotes(survey_id, question, themes, answers) if _can_code() else None}


def _quotes(survey_id: str, question, themes: list, answers, most: int = 3) -> dict | None:
    """Up to ``most`` quotes per theme, only from people who said their words may be used.

    None when the survey never asks for that permission (so nothing can be quoted).
    """
    kit = current_kit()
    survey = kit.catalog.get(survey_id)
    if not quote_statements(survey):
        return None
    counted = _coding().themes_of(survey_id, question.id)
    found: dict[str, list] = {}
    for answer in answers:
        wanted = [t.id for t in themes if t.id in counted.get(answer.response_id, ())
                  and len(found.get(t.id, [])) < most]
        if not wanted:
            continue
        response = kit.store.get_response(answer.response_id)
        record = kit.store.get_consent(response.pseudonym) if response and response.pseudonym else None
        words = quotable_words(survey, response, record, question.id)
        for theme_id in wanted if words else ():
            found.setdefault(theme_id, []).append(words)
    return found


def _group_label(by: str, key: str) -> str:
    if by == "language":
        return language_name(key) if key else _("Not known")
    if by == "source":
        return key or _("The survey link")
    return _("Everyone")


# -- the codebook ---------------------------------------------------------------------------------


@bp.route("/themes", methods=["GET", "POST"])
@login_required("researcher", scope="survey")
def themes(survey_id):
    """The team's themes: add one, see them all."""
    survey = _survey(survey_id)
    errors, form = [], {}
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in ("name", "description", "example", "parent")}
        try:
            theme = _codebook().save(survey_id, **form)
        except ThemeError as error:
            errors = [(error.field, _("Theme"), _(str(error)))]
        else:
            _audit("theme_added", survey_id, {"theme": theme.name})
            flash(_("Added the theme ‘%(name)s’.", name=theme.name), "success")
            return redirect(url_for(".themes", survey_id=survey_id))
    found = _codebook().themes(survey_id)
    return render_template("analysis/themes.html", survey=survey, themes=found, errors=errors,
                           form=form, tops=[t for t in found if not t.parent]), 400 if errors else 200


@bp.route("/themes/<theme_id>", methods=["GET", "POST"])
@login_required("researcher", scope="survey")
def theme(survey_id, theme_id):
    """Change a theme's words, or take it out."""
    survey = _survey(survey_id)
    found = _codebook().get(survey_id, theme_id)
    if found is None:
        abort(404)
    errors = []
    if request.method == "POST" and request.form.get("action") == "remove":
        _codebook().remove(survey_id, theme_id)
        _audit("theme_removed", survey_id, {"theme": found.name})
        flash(_("Took out the theme ‘%(name)s’.", name=found.name), "success")
        return redirect(url_for(".themes", survey_id=survey_id))
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in ("name", "description", "example", "parent")}
        try:
            changed = _codebook().save(survey_id, theme_id=theme_id, **form)
        except ThemeError as error:
            errors = [(error.field, _("Theme"), _(str(error)))]
        else:
            _audit("theme_changed", survey_id, {"theme": changed.name, "was": found.name})
            flash(_("Saved the theme ‘%(name)s’.", name=changed.name), "success")
            return redirect(url_for(".themes", survey_id=survey_id))
    tops = [t for t in _codebook().themes(survey_id) if not t.parent and t.id != theme_id]
    return render_template("analysis/theme.html", survey=survey, theme=found, tops=tops,
                           errors=errors), 400 if errors else 200


@bp.get("/themes.csv")
@login_required("researcher", scope="survey")
def themes_csv(survey_id):
    """The codebook as a CSV file the team can keep or share."""
    _survey(survey_id)
    return Response(_codebook().as_csv(survey_id), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{survey_id}-themes.csv"',
        "Cache-Control": "no-store"})


@bp.post("/themes/upload")
@login_required("researcher", scope="survey")
def themes_upload(survey_id):
    """Bring in themes from a CSV file (name, description, example, parent)."""
    _survey(survey_id)
    upload = request.files.get("file")
    data = upload.read(UPLOAD_MAX + 1) if upload else b""
    if not data or len(data) > UPLOAD_MAX:
        flash(_("Choose a CSV file of themes (200 KB at most)."), "error")
        return redirect(url_for(".themes", survey_id=survey_id))
    try:
        count = _codebook().read_csv(survey_id, data.decode("utf-8", errors="replace"),
                                     upload.filename or "codebook.csv")
    except ThemeError as error:
        flash(str(error), "error")
    else:
        _audit("themes_imported", survey_id, {"themes": count})
        flash(_("Brought in %(count)d themes.", count=count), "success")
    return redirect(url_for(".themes", survey_id=survey_id))


# -- coding, one answer at a time --------------------------------------------------------------


@bp.route("/<question_id>/code", methods=["GET", "POST"])
@login_required("researcher", scope="survey")
def code(survey_id, question_id):
    """Give one answer its themes and a memo; then the next one you haven't coded."""
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    answers = _answers(survey_id, question_id)
    sample = _coding().sample(survey_id, question_id)
    if request.args.get("sample") and sample:
        answers = [a for a in answers if a.response_id in set(sample["response_ids"])]
    mine = _coding().by_coder(survey_id, question_id, _me())
    if request.method == "POST":
        response_id = request.form.get("response_id", "")
        if response_id not in {a.response_id for a in answers}:
            abort(404)
        known = {t.id for t in _codebook().themes(survey_id)}
        _coding().save(survey_id, question_id, response_id, _me(),
                       [t for t in request.form.getlist("theme") if t in known],
                       request.form.get("memo", ""), utc_now())
        mine = _coding().by_coder(survey_id, question_id, _me())
        following = _next_uncoded(answers, mine, after=response_id)
        args = {"answer": following.response_id} if following else {}
        return redirect(url_for(".code", survey_id=survey_id, question_id=question_id,
                                sample=request.args.get("sample") or None, **args))
    chosen = request.args.get("answer")
    answer = next((a for a in answers if a.response_id == chosen), None) or _next_uncoded(answers, mine)
    return render_template("analysis/code.html", survey=survey, question=question, answer=answer,
                           answers=answers, mine=mine, themes=_codebook().themes(survey_id),
                           position=answers.index(answer) + 1 if answer else 0,
                           sample=bool(request.args.get("sample")))


def _next_uncoded(answers, mine, after: str = ""):
    start = next((i + 1 for i, a in enumerate(answers) if a.response_id == after), 0)
    ordered = answers[start:] + answers[:start]
    return next((a for a in ordered if a.response_id not in mine), None)


# -- agreement: blind samples and talking it through -----------------------------------------------


@bp.get("/<question_id>/agreement")
@login_required("researcher", scope="survey")
def agreement_page(survey_id, question_id):
    """Set up a blind sample; see how far coders agree and the answers to talk through."""
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    themes = _codebook().themes(survey_id)
    sample = _coding().sample(survey_id, question_id)
    result = _agreement(survey_id, question_id, sample, themes) if sample else None
    project = current_kit().get_project(current_kit().project_of(survey_id))
    coders = sorted(u for u, role in (project.members if project else {}).items()
                    if role in ("researcher", "admin"))
    return render_template("analysis/agreement.html", survey=survey, question=question,
                           themes=themes, sample=sample, result=result, coders=coders,
                           answers=len(_answers(survey_id, question_id)), band=agreement.band)


def _agreement(survey_id: str, question_id: str, sample: dict, themes: list) -> dict:
    coded = _coding().coded_sets(survey_id, question_id, sample["coders"])
    for coder in sample["coders"]:
        coded.setdefault(coder, {})
    ids = sample["response_ids"]
    per_theme = agreement.theme_agreement([t.id for t in themes], coded, ids)
    texts = {a.response_id: a for a in _answers(survey_id, question_id)}
    settled = _coding().settled_for(survey_id, question_id)
    talk = [{"answer": texts[r], "by_coder": {c: coded[c][r] for c in sorted(coded)},
             "settled": settled.get(r)} for r in agreement.differences(coded, ids) if r in texts]
    done = {c: sum(1 for r in ids if r in coded[c]) for c in sorted(coded)}
    names = {t.id: t.name for t in themes}
    return {"per_theme": [(names.get(t.theme_id, "?"), t) for t in per_theme],
            "overall": agreement.overall(per_theme), "talk": talk, "done": done,
            "measure": "kappa" if len(coded) == 2 else "alpha", "size": len(ids)}


@bp.post("/<question_id>/sample")
@login_required("researcher", scope="survey")
def make_sample(survey_id, question_id):
    """Pick answers at random for two or more coders to code without seeing each other's codes."""
    _question(_survey(survey_id), question_id)
    coders = request.form.getlist("coder")
    try:
        size = int(request.form.get("size", "0"))
    except ValueError:
        size = 0
    if len(coders) < 2 or size < 2:
        flash(_("Choose at least two people, and at least two answers."), "error")
    else:
        sample = _coding().make_sample(survey_id, question_id, _answers(survey_id, question_id),
                                       size, coders, _me(), utc_now())
        _audit("coding_sample_made", survey_id, {"question": question_id,
                                                 "answers": len(sample["response_ids"]),
                                                 "coders": sample["coders"]})
        flash(_("Made a sample of %(count)d answers. Each person codes them on their own.",
                count=len(sample["response_ids"])), "success")
    return redirect(url_for(".agreement_page", survey_id=survey_id, question_id=question_id))


@bp.post("/<question_id>/settle/<response_id>")
@login_required("researcher", scope="survey")
def settle(survey_id, question_id, response_id):
    """Record the themes the team agreed for one answer, and who agreed them."""
    _question(_survey(survey_id), question_id)
    if response_id not in {a.response_id for a in _answers(survey_id, question_id)}:
        abort(404)
    known = {t.id for t in _codebook().themes(survey_id)}
    agreed_by = {_me(), *request.form.getlist("agreed_by")}
    _coding().settle(survey_id, question_id, response_id,
                     [t for t in request.form.getlist("theme") if t in known], agreed_by, utc_now())
    _audit("codes_settled", survey_id, {"question": question_id, "agreed_by": sorted(agreed_by)})
    flash(_("Saved what you agreed."), "success")
    return redirect(url_for(".agreement_page", survey_id=survey_id, question_id=question_id))


# -- exports ------------------------------------------------------------------------------------


@bp.get("/export.<kind>")
@login_required("researcher", scope="survey")
def export(survey_id, kind):
    """Coded answers as CSV or Excel, or the whole analysis as a REFI-QDA project (.qdpx)."""
    survey = _survey(survey_id)
    themes = _codebook().themes(survey_id)
    answers = {q.id: _answers(survey_id, q.id) for q in _questions(survey)}
    if kind == "csv":
        body, mimetype = codes_csv(survey, themes, answers, _coding()), "text/csv"
    elif kind == "xlsx":
        body = codes_xlsx(survey, themes, answers, _coding())
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif kind == "qdpx":
        body, mimetype = survey_qdpx(survey, themes, answers, _coding(), utc_now()), "application/zip"
    else:
        abort(404)
    _audit("coding_exported", survey_id, {"format": kind})
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{survey_id}-themes.{kind}"',
        "Cache-Control": "no-store"})
