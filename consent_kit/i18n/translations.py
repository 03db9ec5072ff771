"""Translation tools for plugins (public API: ``from consent_kit import translations``).

Survey words: :func:`localize` a survey into a language, list its
:func:`survey_languages`, see its :func:`completeness` per language, and
:func:`export_po` / :func:`import_po` its texts for a translator. The
toolkit's own words: :func:`ui_languages`, each language's :func:`native_name`
and :func:`text_direction`.
"""

from pathlib import Path

from consent_kit.i18n.languages import native_name, text_direction, ui_languages
from consent_kit.i18n.localize import Completeness, Text, completeness, localize, normal, survey_texts
from consent_kit.i18n.localize import languages as survey_languages
from consent_kit.i18n.survey_po import ImportResult, PoImportError, definition_yaml, export_po, import_po

__all__ = [
    "read_survey",
    "Completeness",
    "ImportResult",
    "PoImportError",
    "Text",
    "completeness",
    "definition_yaml",
    "export_po",
    "import_po",
    "localize",
    "native_name",
    "normal",
    "survey_languages",
    "survey_texts",
    "text_direction",
    "ui_languages",
]


def read_survey(path: str | Path):
    """Load a survey file with every installed question type (as ``consent-kit check`` does).

    Raises :class:`consent_kit.SurveyError` listing the file's mistakes, or
    ValueError when no loader reads files of this kind.
    """
    from consent_kit.plugins import make_plugin_manager
    from consent_kit.registry import collect_loaders, collect_question_types

    pm = make_plugin_manager()
    loaders = collect_loaders(pm, collect_question_types(pm))
    loader = loaders.get(Path(path).suffix.lower())
    if loader is None:
        raise ValueError(f"{path}: consent-kit can't read these files. Use one of: "
                         f"{', '.join(sorted(loaders))}")
    return loader(str(path))
