"""consent-kit storage: one API, an embedded default, room for other backends.

Import from here; the modules behind it are implementation details.
"""

from .base import ErasedSubmission, Response, Store, StoreError, SubmissionConflict, WithdrawnConsent
from .embedded import EmbeddedStore

__all__ = [
    "EmbeddedStore",
    "ErasedSubmission",
    "Response",
    "Store",
    "StoreError",
    "SubmissionConflict",
    "WithdrawnConsent",
]
