"""The researchers' budget pages: budget, ledger, hours worked, claims, voucher codes, export.

Every page is for researchers of the project in the URL (``login_required
("researcher", scope="project")``): a researcher never sees another project's
budget, claims or exports. Every change and every export goes into the audit
log, never with contact details. Thin: the logic is in the ``incentives*``
modules.
"""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask import Response as HttpResponse
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consent_kit.clock import utc_now
from consent_kit.incentives.files import VoucherFileError, ledger_csv, ledger_xlsx, read_voucher_codes
from consent_kit.incentives.forms import (
    FormProblems,
    budget_from_form,
    correction_from_form,
    entry_from_form,
    work_from_form,
)
from consent_kit.incentives.ledger import (
    Budget,
    correction,
    current,
    finance_order,
    goes_over,
    new_entry,
    other_currencies,
    summarise,
    work_totals,
)
from consent_kit.incentives.store import days_after, today
from consent_kit.incentives.views import TOKEN_DAYS, money
from consent_kit.incentives.views import state as incentives
from consent_kit.plugins import call_event
from consent_kit.studio.auth import audit, current_project, current_user, not_found, state
from consent_kit.studio.rules import login_required
from consent_kit.web.helpers import kit

bp = Blueprint("budget", __name__, url_prefix="/studio/projects/<project_id>/budget")

CATEGORY_WORDS = {
    "participant_incentive": _l("Thank-you payments to participants"),
    "peer_researcher_fee": _l("Peer researcher fees"),
    "venue": _l("Venue"),
    "food": _l("Food"),
    "travel": _l("Travel"),
    "other": _l("Other"),
}
STATUS_WORDS = {"planned": _l("Planned (not paid yet)"), "paid": _l("Paid"),
                "cancelled": _l("Cancelled")}
EXPORTS = {"csv": ("text/csv", ledger_csv), "xlsx": (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ledger_xlsx)}


def _locale() -> str:
    return str(get_locale() or "en")


def _who() -> str:
    return f"user:{current_user().username}"


def _records():
    return incentives().records


def _budget_or_404():
    budget = _records().budget(current_project().id)
    if budget is None:
        flash(_("Set the budget first."), "info")
        abort(redirect(url_for(".page", project_id=current_project().id)))
    return budget


@bp.get("")
@login_required("researcher", scope="project")
def page(project_id):
    """The budget: spent, committed, remaining, a bar, by category, and the ledger."""
    return _page()


def _page(errors=None, form=None, status=200, over=None, which=""):
    project = current_project()
    _audit_claims(project.id)
    budget = _records().budget(project.id)
    entries = _records().entries(project.id)
    summary = summarise(budget, entries)
    people, months = work_totals(entries)
    standing = {e.id for e in current(entries)}
    return render_template(
        "incentives/budget.html", project=project, budget=budget, summary=summary,
        entries=list(reversed(finance_order(entries))), standing=standing, people=people, months=months,
        others=other_currencies(budget, entries), errors=errors or [], which=which,
        form=form or {},
        over=over, money=lambda amount: money(amount, budget.currency if budget else "GBP"),
        categories=_category_options(budget), statuses=list(STATUS_WORDS.items()),
        category_words=CATEGORY_WORDS, status_words=STATUS_WORDS, today=today()), status


def _category_options(budget):
    if budget is None:
        return []
    return [(c, CATEGORY_WORDS.get(c, c)) for c in budget.all_categories()]


@bp.post("")
@login_required("researcher", scope="project")
def set_budget(project_id):
    """Set or change the budget's amount, currency, categories and how long contact details stay."""
    project = current_project()
    old = _records().budget(project.id)
    try:
        budget = budget_from_form(request.form, project.id, old, locale=_locale(),
                                  has_entries=bool(_records().entries(project.id)))
    except FormProblems as error:
        return _page(_translated(error, {"amount": "budget-amount"}), request.form, 400,
                     which="budget")
    _records().set_budget(budget)
    audit("budget_set", project.id, {"amount": str(budget.amount), "currency": budget.currency,
                                     "retention_days": budget.retention_days,
                                     "categories": list(budget.categories)})
    flash(_("The budget is saved."), "success")
    return redirect(url_for(".page", project_id=project.id))


@bp.post("/entries")
@login_required("researcher", scope="project")
def add_entry(project_id):
    """Add a payment or cost; going below zero needs an explicit "yes, go over budget"."""
    return _record(lambda budget: entry_from_form(request.form, budget, locale=_locale(),
                                                  who=_who(), now=utc_now()), which="entry")


@bp.post("/work")
@login_required("researcher", scope="project")
def add_work(project_id):
    """Record hours a peer researcher worked, at a rate (a peer researcher fee)."""
    return _record(lambda budget: work_from_form(request.form, budget, locale=_locale(),
                                                 who=_who(), now=utc_now()), which="work",
                   rename={"date": "work-date", "status": "work-status-planned",
                           "confirm_over": "work-confirm_over"})


@bp.post("/entries/<entry_id>")
@login_required("researcher", scope="project")
def correct_entry(project_id, entry_id):
    """Correct an entry: a new entry that replaces it (the old one stays, for the record)."""
    old = _records().entry(current_project().id, entry_id)
    if old is None:
        abort(not_found())
    rename = {name: f"{name}-{old.id}" for name in ("status", "amount", "note", "confirm_over")}
    return _record(lambda budget: correction_from_form(request.form, old, locale=_locale(),
                                                       who=_who(), now=utc_now()),
                   replacing=old, which=f"fix:{old.id}", rename=rename)


def _record(make, replacing=None, which="", rename=None):
    """Make an entry from the form, check the budget, append it, put it on record."""
    project = current_project()
    budget = _budget_or_404()
    rename = rename or {}
    try:
        entry = make(budget)
    except FormProblems as error:
        return _page(_translated(error, rename), request.form, 400, which=which)
    summary = summarise(budget, _records().entries(project.id))
    if goes_over(summary, entry.amount, entry.status, replacing) and \
            request.form.get("confirm_over") != "yes":
        message = _("This takes the budget below zero. To record it anyway, tick "
                    "\"Yes, go over budget\".")
        field = rename.get("confirm_over", "confirm_over")
        return _page([(field, _("Going over budget"), message)], request.form, 400,
                     over=request.form, which=which)
    try:
        _records().add_entry(entry)
    except ValueError as error:
        field = rename.get("status", "status")
        return _page([(field, _("Status"), _(str(error)))], request.form, 400, which=which)
    _audit_entry(entry)
    flash(_("Recorded."), "success")
    return redirect(url_for(".page", project_id=project.id))


def _audit_entry(entry) -> None:
    audit("ledger_entry_added", entry.project_id,
          {"entry": entry.id, "replaces": entry.replaces, "category": entry.category,
           "amount": str(entry.amount), "currency": entry.currency, "status": entry.status})
    kit().plugin_failures.extend(call_event(kit().pm, "payment_recorded", entry=entry,
                                            project_id=entry.project_id))


def _audit_claims(project_id: str) -> None:
    """Put claims of past days on record, in one batch (see ``claims_to_audit``)."""
    new = _records().claims_to_audit(project_id, today())
    if new:
        kit().store.audit(actor="consent-kit", action="claims_recorded", subject=project_id,
                          details={"entries": [e.id for e in new],
                                   "amounts": [str(e.amount) for e in new],
                                   "currency": new[0].currency})


def _translated(error: FormProblems, rename: dict | None = None) -> list:
    """The form's problems in the page's language, pointing at the fields on the page."""
    rename = rename or {}
    return [(rename.get(field, field), _(label), _(message, **params))
            for field, label, message, params in error.problems]


@bp.get("/export.<fmt>")
@login_required("researcher", scope="project")
def export(project_id, fmt):
    """The ledger for finance, as CSV or Excel (every entry, corrections included)."""
    if fmt not in EXPORTS:
        abort(not_found())
    project = current_project()
    media_type, write = EXPORTS[fmt]
    data = write(_records().entries(project.id))
    audit("ledger_exported", project.id, {"format": fmt})
    name = f"budget-{project.id}-{today()}.{fmt}"
    return HttpResponse(data, mimetype=media_type,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


# -- claims and voucher codes -----------------------------------------------------------------


def _project_surveys() -> list:
    return state().accounts.surveys_of(current_project().id)


@bp.get("/claims")
@login_required("researcher", scope="project")
def claims(project_id):
    """Claims waiting to be paid, claims paid, and voucher codes left, per survey."""
    return _claims_page()


def _claims_page(errors=None, status=200):
    project = current_project()
    _audit_claims(project.id)
    retention = (_records().budget(project.id) or _default_budget()).retention_days
    erased = _records().erase_due(today())
    _records().forget_tokens_before(days_after(today(), -TOKEN_DAYS))
    if erased:
        audit("claim_contacts_erased", project.id, {"count": erased, "why": "retention"})
    surveys = _project_surveys()
    found = _records().claims(surveys)
    stock = {s: _records().voucher_stock(s) for s in surveys}
    return render_template("incentives/claims.html", project=project, surveys=surveys,
                           waiting=[c for c in found if c["status"] == "waiting"],
                           paid=[c for c in found if c["status"] == "paid"], stock=stock,
                           retention=retention, errors=errors or [],
                           money=lambda c: money(c["amount"], c["currency"])), status


def _default_budget() -> Budget:
    return Budget(current_project().id, 0, "GBP")


@bp.post("/claims/<claim_id>")
@login_required("researcher", scope="project")
def claim_action(project_id, claim_id):
    """Mark a claim paid (adds a ledger entry), or erase its contact details now."""
    project = current_project()
    found = _records().claim(claim_id)
    if found is None or found["survey_id"] not in _project_surveys():
        abort(not_found())
    if request.form.get("action") == "erase":
        if _records().erase_contact(claim_id):
            audit("claim_contact_erased", project.id, {"claim": claim_id})
        flash(_("The contact details of claim %(code)s are deleted.", code=found["code"]), "success")
        return redirect(url_for(".claims", project_id=project.id))
    return _mark_paid(project, found)


def _mark_paid(project, found):
    """Paid: the claim's planned ledger entry gets a correction saying paid, on today's date."""
    entries = _records().entries(project.id)
    newest = _records().entry(project.id, _newest(entries, found["ledger_entry"]))
    retention = (_records().budget(project.id) or _default_budget()).retention_days
    entry = None
    if newest is not None and newest.status == "planned":
        entry = correction(newest, recorded_by=_who(), recorded_at=utc_now(), status="paid",
                           date=today())
    elif newest is None:  # claimed before the survey was in this project: record it here now
        entry = new_entry(project_id=project.id, category="participant_incentive",
                          amount=Decimal(found["amount"]), currency=found["currency"],
                          date=today(), status="paid", source="claim",
                          survey_id=found["survey_id"], recorded_by=_who(),
                          recorded_at=utc_now(), note=f"Thank-you payment, claim {found['code']}")
    if not _records().mark_paid(found["id"], today=today(),
                                erase_after=days_after(today(), retention),
                                entry_id=entry.id if entry else found["ledger_entry"]):
        flash(_("Claim %(code)s was already marked paid.", code=found["code"]), "info")
        return redirect(url_for(".claims", project_id=project.id))
    if entry is not None:
        _records().add_entry(entry)
        _audit_entry(entry)
    audit("claim_paid", project.id, {"claim": found["id"]})
    if retention == 0:
        _records().erase_due(today())
    flash(_("Claim %(code)s is marked paid.", code=found["code"]), "success")
    return redirect(url_for(".claims", project_id=project.id))


def _newest(entries, entry_id: str) -> str:
    """The id of the newest correction of ``entry_id`` (itself when never corrected)."""
    by_replaced = {e.replaces: e.id for e in entries if e.replaces}
    seen = set()
    while entry_id in by_replaced and entry_id not in seen:
        seen.add(entry_id)
        entry_id = by_replaced[entry_id]
    return entry_id


@bp.post("/vouchers")
@login_required("researcher", scope="project")
def vouchers(project_id):
    """Upload voucher codes (CSV or one per line) to a survey's pool."""
    project = current_project()
    survey_id = request.form.get("survey", "")
    upload = request.files.get("codes")
    label = _("Voucher codes")
    if survey_id not in _project_surveys():
        return _claims_page([("survey", _("Survey"), _("Choose one of this project's surveys."))], 400)
    if upload is None or not upload.filename:
        return _claims_page([("codes", label, _("Choose a file of voucher codes to upload."))], 400)
    try:
        codes = read_voucher_codes(upload.read(), upload.filename)
    except VoucherFileError as error:
        return _claims_page([("codes", label, _(error.template, **error.params))], 400)
    added, known = _records().add_vouchers(survey_id, codes, batch=f"{upload.filename} {today()}")
    audit("vouchers_added", project.id, {"survey": survey_id, "added": added, "known": known})
    flash(_("%(added)s voucher codes added. %(known)s were already there and were left as they "
            "were.", added=added, known=known), "success")
    return redirect(url_for(".claims", project_id=project.id))
