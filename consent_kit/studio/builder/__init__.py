"""The survey builder's logic, with no Flask: small operations on a survey definition.

The builder edits the *definition* (the plain data of a survey file,
``Survey.definition``) with the operations in :mod:`.ops` and
:mod:`.consent_ops`, checks every result with the real loader
(:func:`.checks.check`), and writes the same YAML as the files in forms/
(:func:`.texts.to_yaml`). Drafts, published versions and approvals are kept
by :class:`.workspace.Workspace`. The web pages are in
``consent_kit/studio/builder/views.py``.
"""

from consent_kit.studio.builder.checks import check, check_upload, content_version
from consent_kit.studio.builder.ops import BuilderError, normalise
from consent_kit.studio.builder.texts import language_of, text_of, to_yaml
from consent_kit.studio.builder.workspace import Workspace, revision

__all__ = ["BuilderError", "Workspace", "check", "check_upload", "content_version",
           "language_of", "normalise", "revision", "text_of", "to_yaml"]
