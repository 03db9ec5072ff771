"""The studio's Translations page for one survey: what is missing, .po files out and in."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _

from consent_kit import current_kit, login_required, translations

bp = Blueprint("translation", __name__, template_folder="templates", url_prefix="/studio")

#: A translator's .po file for one survey is small; anything bigger is a wrong file.
MAX_PO_BYTES = 512 * 1024


def _survey(survey_id: str):
    survey = current_kit().catalog.get(survey_id)
    if survey is None:
        abort(404)
    return survey


@bp.get("/surveys/<survey_id>/translations")
@login_required("viewer", scope="survey")
def report(survey_id):
    """How much of the survey is in each language, and what is still missing."""
    return _page(_survey(survey_id))


def _page(survey, error: str = "", status: int = 200):
    codes = set(translations.ui_languages()) - {translations.normal(survey.language)}
    rows = translations.completeness(survey)
    offer = sorted(codes - {row.language for row in rows})
    return render_template("translation/report.html", survey=None, the_survey=survey, rows=rows,
                           offer=offer, native_name=translations.native_name, error=error), status


@bp.get("/surveys/<survey_id>/translations/<lang>.po")
@login_required("researcher", scope="survey")
def download(survey_id, lang):
    """The survey's texts as a .po file for a translator, with what is done so far."""
    survey = _survey(survey_id)
    if not lang or translations.normal(lang) == translations.normal(survey.language):
        abort(404)
    data = translations.export_po(survey, lang)
    name = f"{survey.id}.{translations.normal(lang)}.po"
    return Response(data, mimetype="text/x-gettext-translation",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.post("/surveys/<survey_id>/translations")
@login_required("researcher", scope="survey")
def upload(survey_id):
    """Put a translator's .po file into the survey: the new survey file comes back to save."""
    survey = _survey(survey_id)
    sent = request.files.get("po_file")
    data = sent.read(MAX_PO_BYTES + 1) if sent else b""
    if len(data) > MAX_PO_BYTES:
        return _page(survey, _("That file is too big to be a translation of this survey."), 400)
    try:
        result = translations.import_po(survey, data)
    except translations.PoImportError as error:
        return _page(survey, str(error), 400)
    text = translations.definition_yaml(result.definition)
    name = f"{survey.id}.yaml"
    return Response(text.encode("utf-8"), mimetype="application/yaml",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
