"""Thank-you payments, written as a core plugin: the ways to claim, the page parts, withdrawal.

Each hook only delegates: the logic is in :mod:`consent_kit.incentives.claims`
and the pages in :mod:`consent_kit.incentives.views`.
"""

from __future__ import annotations

from consent_kit.hookspecs import hookimpl
from consent_kit.incentives import views as pages
from consent_kit.incentives.claims import BUILTIN_PROVIDERS


@hookimpl
def register_payment_providers(register):
    """The built-in ways to claim: a voucher code, leaving contact details, in person."""
    for provider in BUILTIN_PROVIDERS:
        register(provider)


@hookimpl
def page_parts(slot, survey):
    """What's offered, on the start page; the claim, on the Thank you page."""
    if survey is None or slot not in ("start", "done"):
        return None
    return pages.start_part(survey) if slot == "start" else pages.done_part(survey)


@hookimpl
def startup(app):
    """Sample voucher codes from survey files; contact details and tokens past their time go."""
    pages.at_startup(app)


@hookimpl
def erase_participant_data(pseudonym):
    """Withdrawing in the browser that claimed: its token or its contact details go too."""
    pages.erase_for(pseudonym)
