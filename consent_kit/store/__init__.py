"""consent-kit storage: one API, an embedded default, room for other backends.

Import from here; the modules behind it are implementation details.
"""

from consent_kit.store.base import (
    ErasedSubmission,
    Response,
    Store,
    StoreError,
    SubmissionConflict,
    WithdrawnConsent,
)
from consent_kit.store.embedded import EmbeddedStore

__all__ = [
    "EmbeddedStore",
    "ErasedSubmission",
    "Response",
    "Store",
    "StoreError",
    "SubmissionConflict",
    "WithdrawnConsent",
]
