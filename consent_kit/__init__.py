"""consent-kit: surveys and plain-language consent for participatory research.

This module is the public API: what plugins (built-in and third-party) may
import. Everything else is internal and may change.

Every name is loaded when it is first used (PEP 562), so ``import consent_kit``
and ``consent-kit --help`` stay quick: ``from consent_kit import create_app``
loads Flask and the app, ``from consent_kit import hookimpl`` (what every plugin
module imports) loads only pluggy's marker.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from consent_kit.hookspecs import hookimpl

#: Public name -> the module that defines it, imported on first use.
_LAZY: dict[str, str] = {
    "create_app": "consent_kit.app",
    "LazyCommand": "consent_kit.cli",
    "ConsentRecord": "consent_kit.consent.records",
    "ConsentText": "consent_kit.consent.records",
    "ConsentStep": "consent_kit.consent.steps",
    "translations": "consent_kit.i18n",
    "ClaimError": "consent_kit.incentives.claims",
    "PaymentProvider": "consent_kit.incentives.claims",
    "LedgerEntry": "consent_kit.incentives.ledger",
    "FONTS": "consent_kit.kit",
    "Kit": "consent_kit.kit",
    "current_kit": "consent_kit.kit",
    "answers_from_form": "consent_kit.participation.forms",
    "build_page_form": "consent_kit.participation.forms",
    "error_list": "consent_kit.participation.forms",
    "Breakdown": "consent_kit.plugin_calls",
    "StudioTask": "consent_kit.plugin_calls",
    "EmbeddedStore": "consent_kit.store",
    "ErasedSubmission": "consent_kit.store",
    "Response": "consent_kit.store",
    "Store": "consent_kit.store",
    "StoreError": "consent_kit.store",
    "SubmissionConflict": "consent_kit.store",
    "WithdrawnConsent": "consent_kit.store",
    "audit_chain": "consent_kit.store",
    "ParticipantKeys": "consent_kit.store.crypto",
    "instance_key": "consent_kit.store.crypto",
    "Sealer": "consent_kit.store.sealing",
    "login_required": "consent_kit.studio.rules",
    "AnswerNeeded": "consent_kit.survey.fields",
    "AnswerRequired": "consent_kit.survey.fields",
    "PlainCheckboxesField": "consent_kit.survey.fields",
    "PlainRadioField": "consent_kit.survey.fields",
    "PREFER_NOT_TO_SAY": "consent_kit.survey.model",
    "Choice": "consent_kit.survey.model",
    "Condition": "consent_kit.survey.model",
    "Page": "consent_kit.survey.model",
    "Problem": "consent_kit.survey.model",
    "Question": "consent_kit.survey.model",
    "Survey": "consent_kit.survey.model",
    "SurveyError": "consent_kit.survey.model",
    "Validation": "consent_kit.survey.model",
    "QuestionType": "consent_kit.survey.question_types",
    "stand_in": "consent_kit.survey.piping",
    "SurveySetting": "consent_kit.survey.settings",
    "read_yaml": "consent_kit.survey.settings",
    "TextPlace": "consent_kit.survey.texts",
    "text_places": "consent_kit.survey.texts",
    "remembered_url_for": "consent_kit.web.urls",
}

__all__ = [
    "FONTS",
    "Kit",
    # A plugin's command whose module loads only when it runs (``consent-kit --help`` stays quick).
    "LazyCommand",
    "StudioTask",
    "SurveySetting",
    "current_kit",
    "read_yaml",
    "AnswerNeeded",
    "AnswerRequired",
    "answers_from_form",
    "build_page_form",
    "Breakdown",
    "PlainCheckboxesField",
    "PlainRadioField",
    "PREFER_NOT_TO_SAY",
    "Choice",
    "ClaimError",
    "ConsentRecord",
    "ConsentStep",
    "ConsentText",
    "Condition",
    "LedgerEntry",
    "Page",
    "PaymentProvider",
    "Problem",
    "Question",
    "QuestionType",
    "Response",
    "Store",
    # For storage backends (plugins/postgresql): the errors every Store raises, the audit
    # chain every backend keeps, and the embedded store that migrate-store reads from.
    "EmbeddedStore",
    "ErasedSubmission",
    "StoreError",
    "SubmissionConflict",
    "WithdrawnConsent",
    "audit_chain",
    # Crypto-shredding for any backend: per-participant keys and what they seal (docs/storage.md).
    "ParticipantKeys",
    "Sealer",
    "instance_key",
    "Survey",
    "SurveyError",
    "TextPlace",
    "Validation",
    "create_app",
    "error_list",
    "hookimpl",
    "login_required",
    # url_for for links drawn on every page (a header part): built once, then remembered.
    "remembered_url_for",
    "stand_in",
    "text_places",
    "translations",
]


def __getattr__(name: str) -> Any:
    """Import the module that defines a public ``name`` the first time it is asked for."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    try:
        value = getattr(importlib.import_module(module), name)
    except AttributeError:  # a submodule, such as consent_kit.i18n.translations
        value = importlib.import_module(f"{module}.{name}")
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # what type checkers and editors see; never run
    from consent_kit.app import create_app  # noqa: F401
    from consent_kit.cli import LazyCommand  # noqa: F401
    from consent_kit.consent.records import ConsentRecord, ConsentText  # noqa: F401
    from consent_kit.consent.steps import ConsentStep  # noqa: F401
    from consent_kit.i18n import translations  # noqa: F401
    from consent_kit.incentives.claims import ClaimError, PaymentProvider  # noqa: F401
    from consent_kit.incentives.ledger import LedgerEntry  # noqa: F401
    from consent_kit.kit import FONTS, Kit, current_kit  # noqa: F401
    from consent_kit.participation.forms import answers_from_form, build_page_form, error_list  # noqa: F401
    from consent_kit.plugin_calls import Breakdown, StudioTask  # noqa: F401
    from consent_kit.store import (  # noqa: F401
        EmbeddedStore,
        ErasedSubmission,
        Response,
        Store,
        StoreError,
        SubmissionConflict,
        WithdrawnConsent,
        audit_chain,
    )
    from consent_kit.store.crypto import ParticipantKeys, instance_key  # noqa: F401
    from consent_kit.store.sealing import Sealer  # noqa: F401
    from consent_kit.studio.rules import login_required  # noqa: F401
    from consent_kit.survey.fields import AnswerNeeded, AnswerRequired, PlainCheckboxesField, PlainRadioField  # noqa: F401
    from consent_kit.survey.model import (  # noqa: F401
        PREFER_NOT_TO_SAY,
        Choice,
        Condition,
        Page,
        Problem,
        Question,
        Survey,
        SurveyError,
        Validation,
    )
    from consent_kit.survey.piping import stand_in  # noqa: F401
    from consent_kit.survey.question_types import QuestionType  # noqa: F401
    from consent_kit.survey.settings import SurveySetting, read_yaml  # noqa: F401
    from consent_kit.survey.texts import TextPlace, text_places  # noqa: F401
    from consent_kit.web.urls import remembered_url_for  # noqa: F401
