""""People waiting to hear": the built-in notifier's list, for a researcher to tell by hand.

Researchers and admins of the survey's project see how many people asked to
be told when the findings are ready, download their emails and phone numbers
(the download is noted in the audit log), and mark them as told, which deletes
them (also noted). The contacts never appear anywhere else in the studio.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from consent_kit.findings import contacts as people
from consent_kit.findings.store import published
from consent_kit.i18n.languages import native_name
from consent_kit.kit import current_kit
from consent_kit.studio.rules import login_required

bp = Blueprint("findings_waiting", __name__, template_folder="templates",
               url_prefix="/studio/surveys")


def _survey(survey_id: str):
    survey = current_kit().catalog.get(survey_id)
    if survey is None:
        abort(404)
    return survey


def _documents():
    return current_kit().store.documents(people.TABLE)


@bp.get("/<survey_id>/findings/waiting")
@login_required("researcher", scope="survey")
def waiting(survey_id):
    """How many are waiting, and (once the findings are out) the list to download and mark as told."""
    survey = _survey(survey_id)
    kit = current_kit()
    found = people.waiting(_documents(), survey.id)
    return render_template(
        "findings/waiting.html", survey=survey, project=kit.current_project(), waiting=found,
        emails=sum(1 for c in found if c.get("way") == "email"),
        phones=sum(1 for c in found if c.get("way") == "phone"),
        is_published=bool(published(kit, survey.id)),
        findings_url=url_for("findings.page", survey_id=survey.id, _external=True))


@bp.get("/<survey_id>/findings/waiting.csv")
@login_required("researcher", scope="survey")
def download(survey_id):
    """The list as a spreadsheet file (contact, email or phone, language)."""
    survey = _survey(survey_id)
    kit = current_kit()
    found = people.waiting(_documents(), survey.id)
    kit.store.audit(actor=kit.current_user().username, action="findings_contacts_downloaded",
                    subject=survey.id, details={"count": len(found)})
    body = people.as_csv(found, (_("Email or phone number"), _("How"), _("Language")),
                         ways={"email": _("Email"), "phone": _("Text message or call")},
                         language_name=native_name)
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{survey.id}-to-tell.csv"'
    response.headers["Cache-Control"] = "no-store"  # contact details: not kept by the browser
    return response


@bp.post("/<survey_id>/findings/waiting")
@login_required("researcher", scope="survey")
def mark_told(survey_id):
    """Delete the contacts that were on the page (told by hand). Anyone added since stays."""
    survey = _survey(survey_id)
    kit = current_kit()
    ids = request.form.getlist("contact_id")
    count = people.forget(_documents(), survey.id, ids)
    kit.store.audit(actor=kit.current_user().username, action="findings_contacts_told",
                    subject=survey.id, details={"by_hand": count, "deleted": count})
    flash(_("Marked as told. Their email addresses and phone numbers are deleted."), "success")
    return redirect(url_for(".waiting", survey_id=survey.id))
