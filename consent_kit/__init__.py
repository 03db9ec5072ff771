"""consent-kit: surveys and plain-language consent for participatory research.

This module is the public API: what plugins (built-in and third-party) may
import. Everything else is internal and may change.
"""

from consent_kit.app import create_app
from consent_kit.consent.records import ConsentRecord, ConsentText
from consent_kit.consent.steps import ConsentStep
from consent_kit.hookspecs import hookimpl
from consent_kit.i18n import translations
from consent_kit.incentives.claims import ClaimError, PaymentProvider
from consent_kit.incentives.ledger import LedgerEntry
from consent_kit.kit import FONTS, Kit, current_kit
from consent_kit.participation.forms import answers_from_form, build_page_form, error_list
from consent_kit.plugin_calls import Breakdown, StudioTask
from consent_kit.store import (
    EmbeddedStore,
    ErasedSubmission,
    Response,
    Store,
    StoreError,
    SubmissionConflict,
    WithdrawnConsent,
    audit_chain,
)
from consent_kit.store.crypto import ParticipantKeys, instance_key
from consent_kit.store.sealing import Sealer
from consent_kit.studio.rules import login_required
from consent_kit.survey.fields import (
    AnswerNeeded,
    AnswerRequired,
    PlainCheckboxesField,
    PlainRadioField,
)
from consent_kit.survey.model import (
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
from consent_kit.survey.question_types import QuestionType
from consent_kit.survey.settings import SurveySetting, read_yaml
from consent_kit.survey.texts import TextPlace, text_places

__all__ = [
    "FONTS",
    "Kit",
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
    "text_places",
    "translations",
]
