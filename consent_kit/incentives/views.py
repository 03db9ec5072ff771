"""Thank-you payments on participant pages: what's offered, the claim token, claiming.

The start page says what people get and, honestly, when there are none left
(the ``start`` slot). The first time the Thank you page is drawn for a
finished survey, it mints a one-time claim token, kept in this browser's
session only; the store keeps the token's hash and nothing else (no response
id). Claiming forgets the token, so a response claims once.

Thin: the logic is in :mod:`consent_kit.incentives.claims`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import time
from dataclasses import dataclass

from flask import (
    Blueprint,
    current_app,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from consent_kit.incentives.claims import ClaimError, availability, make_claim, place_cap
from consent_kit.incentives.ledger import format_money
from consent_kit.incentives.rules import rule_of
from consent_kit.incentives.store import IncentiveStore, days_after, today
from consent_kit.plugins import call_event
from consent_kit.registry import _collect_named
from consent_kit.store import StoreError
from consent_kit.web.helpers import kit, load_survey

log = logging.getLogger(__name__)

bp = Blueprint("incentives", __name__, template_folder="templates")
bp.url_value_preprocessor(load_survey)

SESSION_KEY = "incentive"
#: Unused claim tokens are forgotten after this many days (the browser's session is long gone).
TOKEN_DAYS = 7
MINTED = "incentive_minted"

#: What each reason a claim failed means for the participant.
CLAIM_ERRORS = {
    "way": _l("Choose how you want to get your thank-you payment."),
    "contact": _l("Type an email address, like name@example.com. Or type a phone number, like "
                  "07700 900123."),
    "no_stock": _l("Sorry, there are no voucher codes left. Please choose another way."),
    "none_left": _l("Sorry, all the thank-you payments have been given out."),
    "used": _l("This thank-you payment has already been claimed."),
    "saving": _l("Sorry, we could not save your claim just now. Nothing was used up. Please try "
                 "again in a few minutes."),
    "broken": _l("Sorry, that way is not working just now. Please choose another way, or try "
                 "again later."),
}

#: The built-in ways to claim, in words that can be translated (plugins' labels are shown as given).
WAY_LABELS = {
    "voucher": _l("Get a voucher code now, on this screen"),
    "contact": _l("Leave an email or phone number, and we pay you later"),
    "in_person": _l("Collect it in person, with a code"),
}


@dataclass
class IncentivesState:
    """Per app, in ``app.extensions["consent_kit_incentives"]``: the records and the ways to claim."""

    records: IncentiveStore
    providers: dict


@bp.record_once
def _init_app(setup_state) -> None:
    app = setup_state.app
    kit_ = app.extensions["consent_kit"]
    providers = _collect_named(kit_.pm, "register_payment_providers", "a way to claim")
    app.extensions["consent_kit_incentives"] = IncentivesState(IncentiveStore(kit_.store), providers)


def state() -> IncentivesState:
    """This app's incentive records and ways to claim."""
    return current_app.extensions["consent_kit_incentives"]


def project_of(survey_id: str) -> str:
    """The project a survey belongs to ("" when it is in none)."""
    return current_app.extensions["consent_kit_studio"].accounts.survey_project(survey_id) or ""


def worded(rule, survey):
    """The rule with its words (``reward``, ``because``) in the page's language, when the file has them.

    What is kept with a claim stays in the survey's own language, for the researchers.
    """
    lang = str(get_locale() or "").replace("-", "_")
    raw = getattr(survey, "extra", {}).get("incentive") or {}
    words = {}
    for key in ("reward", "because"):
        value = raw.get(key)
        if isinstance(value, dict):
            found = value.get(lang) or value.get(lang.split("_")[0])
            if isinstance(found, str) and found.strip():
                words[key] = found.strip()
    return dataclasses.replace(rule, **words) if words else rule


def money(amount, currency: str) -> str:
    """An amount as people of the page's language write it."""
    return format_money(amount, currency, str(get_locale() or "en"))


def _limits(survey, rule, *, need_project: bool = False):
    """The records, and the project, budget and ledger when the limits need them.

    Each is a read of the tables file, so a survey limited only by "first N"
    (or not at all) reads none of them for its start page.
    """
    records = state().records
    if not (rule.while_budget_allows or need_project):
        return records, "", None, []
    project_id = project_of(survey.id)
    budget = records.budget(project_id) if project_id and rule.while_budget_allows else None
    entries = records.entries(project_id) if budget else []
    return records, project_id, budget, entries


def page_part(slot: str, survey) -> Markup | None:
    """This plugin's part of a participant page: ``start``, ``done`` or ``saved``."""
    parts = {"start": start_part, "done": done_part, "saved": saved_part}
    return parts[slot](survey) if slot in parts and survey is not None else None


def start_part(survey) -> Markup | None:
    """What the start page says about the thank-you payment, before anyone begins.

    No countdown of how many are left: it would rush people. It says that
    they keep the payment if they stop or take their answers back (or, when
    the survey file says so, why only finished surveys are paid).
    """
    rule = rule_of(survey)
    if rule is None:
        return None
    records, _, budget, entries = _limits(survey, rule)
    offer = availability(records, survey.id, rule, budget, entries)
    return Markup(render_template("incentives/start_part.html", rule=worded(rule, survey), offer=offer,
                                  cost=money(rule.amount, rule.currency)))


def done_part(survey) -> Markup | None:
    """The claim form on the Thank you page, or what was claimed."""
    rule = rule_of(survey)
    held = _held(survey, mint=rule is not None)
    if rule is None or held is None:
        return None
    return Markup(render_template("incentives/done_part.html", **_claim_context(survey, rule, held)))


def saved_part(survey) -> Markup | None:
    """After "Save and come back later": stopping here, the payment can be claimed now."""
    rule = rule_of(survey)
    if rule is None or rule.if_you_stop != "claim":
        return None
    return Markup(render_template("incentives/saved_part.html", survey=survey, rule=worded(rule, survey)))


def claim_mark(pseudonym: str) -> str:
    """The one-way mark that a response (or a draft that stopped) claimed: it claims once.

    It names the response only to someone who already has the pseudonym, and
    names no claim: the marks of a survey are kept as one sorted list.
    """
    return hashlib.sha256(f"claimed:{pseudonym}".encode()).hexdigest()


def hold(survey_id: str, pseudonym: str, via: str) -> dict:
    """Put a new claim token for ``pseudonym`` in this browser's session (and only there)."""
    held = {"for": pseudonym, "token": state().records.mint_token(survey_id, today()), "via": via,
            "at": time.time()}
    session.setdefault(SESSION_KEY, {})[survey_id] = held
    session.permanent = False  # phones and computers are shared: gone when the browser closes
    session.modified = True
    return held


def _held(survey, *, mint: bool) -> dict | None:
    """This browser's claim for the survey it just finished: minted once per response."""
    finished = session.get("done", {}).get(survey.id)
    if not isinstance(finished, dict) or not finished.get("pseudonym"):
        return None
    held = session.get(SESSION_KEY, {}).get(survey.id)
    if isinstance(held, dict) and held.get("for") == finished["pseudonym"]:
        return held
    if not mint or not _first_mint(finished["pseudonym"]):
        return None  # a token was minted for this response already (e.g. an old cookie again)
    return hold(survey.id, finished["pseudonym"], "done")


def _holding(survey) -> dict | None:
    """The claim this browser holds for ``survey``, however it came (finished, stopped, reference)."""
    held = session.get(SESSION_KEY, {}).get(survey.id)
    if isinstance(held, dict) and held.get("via") in ("later", "stop") and _too_old(held):
        # A shared computer: the next person must not see this claim, or use its token.
        session[SESSION_KEY].pop(survey.id, None)
        session.modified = True
        return None
    if isinstance(held, dict) and held.get("for") and ("token" in held or "claimed" in held):
        return held
    return _held(survey, mint=False)


def _too_old(held: dict) -> bool:
    """Whether a claim started with a reference or on stopping is older than ``DONE_MINUTES``."""
    minutes = current_app.config.get("DONE_MINUTES", 30)
    return time.time() - float(held.get("at", 0)) > minutes * 60


def _first_mint(pseudonym: str) -> bool:
    """True once per response: a mark that it had its token (not which token, nor any claim)."""
    key = hashlib.sha256(f"minted:{pseudonym}".encode()).hexdigest()
    table = kit().store.documents(MINTED)
    table.put({"key": key}, key=key)
    first: list[bool] = []

    def mark(doc):
        if not doc.get("minted"):
            doc["minted"] = True
            first.append(True)

    table.modify(mark, key=key)
    return bool(first)


def _claim_context(survey, rule, held: dict, errors=None, chosen: str = "", contact: str = "") -> dict:
    records = state().records
    ways = [state().providers[name] for name in rule.ways if name in state().providers]
    offered = [p for p in ways if p.available(survey_id=survey.id, incentives=records)]
    _, _, budget, entries = _limits(survey, rule)
    open_ = availability(records, survey.id, rule, budget, entries).open
    unused = ("token" in held and records.token_unused(survey.id, held["token"])
              and not records.marked(survey.id, claim_mark(held["for"])))
    shown = [{"name": p.name, "label": WAY_LABELS.get(p.name, p.label)} for p in offered]
    return {"survey": survey, "rule": worded(rule, survey), "held": held, "ways": shown, "open": open_,
            "unused": unused, "errors": errors or [], "chosen": chosen, "contact": contact,
            "needs_contact": any(p.needs_contact for p in offered),
            "cost": money(rule.amount, rule.currency)}


@bp.route("/s/<survey_id>/claim", methods=["GET", "POST"])
def claim(survey_id):
    """Claim the thank-you payment for the survey this browser just finished."""
    survey = g.survey
    rule = rule_of(survey)
    held = _holding(survey) if rule else None
    if held is None:
        return render_template("incentives/nothing.html", survey=survey), 404
    if request.method == "GET" or "claimed" in held:
        return render_template("incentives/claim.html", **_claim_context(survey, rule, held))
    chosen, contact = request.form.get("way", ""), request.form.get("contact", "")
    try:
        made, entry, shown = _make(survey, rule, held, chosen, contact)
    except ClaimError as error:
        return _claim_failed(survey, rule, held, error.reason, chosen, contact, 400)
    except (StoreError, OSError):  # e.g. the disk is full: everything taken was given back
        log.exception("Could not keep a claim for %s", survey.id)
        return _claim_failed(survey, rule, held, "saving", chosen, contact, 503)
    except Exception:  # a plugin's way failed: the participant can choose another
        log.exception("The way to claim %r failed for %s", chosen, survey.id)
        return _claim_failed(survey, rule, held, "broken", chosen, contact, 503)
    held.update({"claimed": made["id"], "way": made["way"], "code": made["code"], "shown": shown})
    session[SESSION_KEY][survey.id] = held
    session.modified = True
    _after_claim(survey, made, entry)
    return redirect(url_for(".claim", survey_id=survey.id))


def _claim_failed(survey, rule, held, reason: str, chosen: str, contact: str, status: int):
    """The claim page again, saying what went wrong and keeping what was typed."""
    field = "contact" if reason == "contact" else "way"
    errors = [(field, _l("Thank-you payment"), CLAIM_ERRORS.get(reason, reason))]
    context = _claim_context(survey, rule, held, errors, chosen, contact)
    return render_template("incentives/claim.html", **context), status


def _make(survey, rule, held, chosen, contact):
    provider = state().providers.get(chosen)
    if provider is None or chosen not in rule.ways:
        raise ClaimError("way")
    records, project_id, budget, entries = _limits(survey, rule, need_project=True)
    cap = place_cap(records, survey.id, rule, budget, entries)
    return make_claim(records, survey_id=survey.id, project_id=project_id, rule=rule,
                      provider=provider, token=held.get("token", ""), contact=contact,
                      cap=cap, today=today(), mark=claim_mark(held["for"]))


def _after_claim(survey, made: dict, entry) -> None:
    """Tell plugins. No audit entry here, on purpose: the audit log keeps exact times and is
    never rewritten, so an entry now would sit beside this participant's consent entry and
    tie the claim to their answers. Researchers' actions on claims are audited."""
    public = {k: made[k] for k in ("id", "survey_id", "way", "reward", "amount", "currency",
                                   "status")}
    failures = call_event(kit().pm, "incentive_claimed", claim=public, survey=survey)
    failures += call_event(kit().pm, "payment_recorded", entry=entry, project_id=entry.project_id)
    kit().plugin_failures.extend(failures)


def erase_for(pseudonym: str) -> None:
    """On withdrawal from this browser: the payment stays theirs.

    Contact details of a claim already paid are deleted now; a claim still
    waiting keeps them until it is paid (they are needed to pay), then they go
    after the project's days, as for everyone. An unused token stays, so they
    can still claim. The link between a claim and a participant exists only
    in their own browser's session, so this works only there; elsewhere
    nothing stored can find their claim (see docs/incentives.md).
    """
    if not has_request_context():
        return
    for held in session.get(SESSION_KEY, {}).values():
        if isinstance(held, dict) and held.get("for") == pseudonym and held.get("claimed"):
            found = state().records.claim(held["claimed"])
            if found is not None and found.get("status") == "paid":
                state().records.erase_contact(held["claimed"])


def at_startup(app) -> None:
    """Sample voucher codes into their pools, and tidying that must not wait for a page view."""
    records = app.extensions["consent_kit_incentives"].records
    import_sample_vouchers(app)
    erased = records.erase_due(today())
    if erased:
        app.extensions["consent_kit"].store.audit(
            actor="consent-kit", action="claim_contacts_erased", subject="",
            details={"count": erased, "why": "retention"})
    records.forget_tokens_before(days_after(today(), -TOKEN_DAYS))


def import_sample_vouchers(app) -> None:
    """Put the ``vouchers:`` codes of each survey file into its pool (each code once, ever)."""
    records = app.extensions["consent_kit_incentives"].records
    for survey in app.extensions["consent_kit"].catalog.surveys.values():
        rule = rule_of(survey)
        if rule is not None and rule.vouchers:
            added, _ = records.add_vouchers(survey.id, rule.vouchers, batch="survey file")
            if added:
                log.info("Added %d voucher codes from %s", added, survey.source)

