"""consent-kit: surveys and plain-language consent for participatory research.

This module is the public API: what plugins (built-in and third-party) may
import. Everything else is internal and may change.
"""

from . import translations
from .app import create_app
from .consent import ConsentRecord, ConsentText
from .extensions import Breakdown
from .fields import AnswerRequired, PlainCheckboxesField, PlainRadioField
from .hookspecs import hookimpl
from .incentives import LedgerEntry
from .incentives_claims import ClaimError, PaymentProvider
from .questiontype import QuestionType
from .steps import ConsentStep
from .store import Response, Store
from .survey import (
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
from .texts import TextPlace, text_places
from .web.forms import answers_from_form, build_page_form, error_list
from .web.rules import login_required

__all__ = [
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
    "Survey",
    "SurveyError",
    "TextPlace",
    "Validation",
    "create_app",
    "error_list",
    "hookimpl",
    "login_required",
    "text_places",
    "translations",
]
