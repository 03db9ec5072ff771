"""consent-kit: surveys and plain-language consent for participatory research.

This module is the public API: what plugins (built-in and third-party) may
import. Everything else is internal and may change.
"""

from .app import create_app
from .consent import ConsentRecord, ConsentText
from .extensions import Breakdown
from .fields import AnswerRequired, PlainCheckboxesField, PlainRadioField
from .hookspecs import hookimpl
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

__all__ = [
    "AnswerRequired",
    "Breakdown",
    "PlainCheckboxesField",
    "PlainRadioField",
    "PREFER_NOT_TO_SAY",
    "Choice",
    "ConsentRecord",
    "ConsentStep",
    "ConsentText",
    "Condition",
    "Page",
    "Problem",
    "Question",
    "QuestionType",
    "Response",
    "Store",
    "Survey",
    "SurveyError",
    "Validation",
    "create_app",
    "hookimpl",
]
