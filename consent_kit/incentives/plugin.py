"""Thank-you payments, written as a built-in plugin (``incentives``, blockable like the others).

It owns the ``incentive:`` setting of survey files, its pages (the claim page
and the project's budget), the ways to claim, the page parts and withdrawal.
Each hook only delegates: the logic is in :mod:`consent_kit.incentives.claims`
and :mod:`consent_kit.incentives.rules`, the pages in
:mod:`consent_kit.incentives.views` and :mod:`consent_kit.incentives.budget_views`.
"""

from __future__ import annotations

from consent_kit.hookspecs import hookimpl
from consent_kit.incentives import budget_views, later  # noqa: F401 (later's pages are on views.bp)
from consent_kit.incentives import views as pages
from consent_kit.incentives.claims import BUILTIN_PROVIDERS
from consent_kit.incentives.rules import check_incentive
from consent_kit.plugin_calls import StudioTask
from consent_kit.survey.settings import SurveySetting


@hookimpl
def register_survey_settings(register):
    """``incentive:`` in survey files: what people are given, how, and how many."""
    register(SurveySetting(
        "incentive", "A thank-you payment: the reward, the amount, the ways to claim and limits.",
        check=lambda reader: check_incentive(reader.context, reader.data)))


@hookimpl
def project_actions(project, kit):
    """The project's budget and thank-you payments, for those who run the project."""
    if kit.current_role() not in ("researcher", "admin"):
        return []
    from flask import url_for
    from flask_babel import gettext as _

    return [StudioTask(_("Budget and thank-you payments"),
                       url_for("budget.page", project_id=project.id), order=10)]


@hookimpl
def register_blueprints(app):
    """The participant's claim pages and each project's budget."""
    return [pages.bp, budget_views.bp]


@hookimpl
def register_payment_providers(register):
    """The built-in ways to claim: a voucher code, leaving contact details, in person."""
    for provider in BUILTIN_PROVIDERS:
        register(provider)


@hookimpl
def page_parts(slot, survey):
    """What's offered, on the start page; the claim, on the Thank you page."""
    return pages.page_part(slot, survey)  # start, done, and saved (stopping early)


@hookimpl
def startup(app):
    """Sample voucher codes from survey files; contact details and tokens past their time go."""
    pages.at_startup(app)


@hookimpl
def erase_participant_data(pseudonym):
    """Withdrawing in the browser that claimed: its token or its contact details go too."""
    pages.erase_for(pseudonym)
