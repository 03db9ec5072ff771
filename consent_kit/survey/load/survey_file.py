"""Load survey files (YAML) into a checked, frozen :class:`~consent_kit.survey.model.Survey`.

The loader reports *every* problem it finds, each with the file, the line, where
in the survey it is, and what to do about it, in plain words for peer
researchers (``forms/youth.yaml:14: question 'age': unknown type 'nmber' — did
you mean 'number'?``). docs/survey-files.md describes the format.

The work is split over a few modules: :mod:`.loader_yaml` (reading YAML with
line numbers), :mod:`.loader_pages`, :mod:`.loader_questions`,
:mod:`.loader_values` (choices, validation), :mod:`.loader_conditions`
(show_if), :mod:`.loader_consent` (consent, the support page and the exit
page; docs/consent.md) and :mod:`.loader_common` (shared helpers, including
``read_text``, the one place survey text is read). No Flask here.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from consent_kit.survey.load.common import (
    Context,
    check_keys,
    did_you_mean,
    is_scalar,
    line_of,
    plain,
    plain_scalar,
    read_text,
    show,
    value_line,
)
from consent_kit.survey.load.consent import read_consent
from consent_kit.survey.load.pages import read_pages
from consent_kit.survey.load.promises import read_promises
from consent_kit.survey.load.support import read_support
from consent_kit.survey.load.yaml_reader import parse_yaml
from consent_kit.survey.model import Problem, Survey, SurveyError
from consent_kit.survey.question_types import QuestionTypeRegistry

__all__ = ["check_files", "load_survey_file", "load_survey_text", "survey_version",
           "SURVEY_KEYS", "EXTRA_KEYS"]

#: Top-level settings the loader reads itself.
SURVEY_KEYS = ("id", "title", "description", "language", "time_to_complete", "status",
               "pages", "questions", "consent", "support", "exit_page", "exit_page_reason",
               "closes", "withdraw_until", "contact", "time_zone")
#: Top-level settings kept in ``Survey.extra`` for the core's translations. Plugins own
#: their own keys (``incentive``, ``plain_language``) through ``register_survey_settings``.
EXTRA_KEYS = ("translations",)
STATUSES = ("open", "closed")
SURVEY_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
SUFFIXES = (".yaml", ".yml")
_SYNONYMS = {"name": "title", "heading": "title", "intro": "description",
             "about": "description", "summary": "description", "lang": "language",
             "locale": "language", "duration": "time_to_complete", "time": "time_to_complete",
             "state": "status", "sections": "pages", "steps": "pages", "items": "questions",
             "exit": "exit_page", "exit_url": "exit_page", "quick_exit": "exit_page",
             "leave_page": "exit_page", "escape": "exit_page", "helplines": "support",
             "withdraw_by": "withdraw_until", "take_back_until": "withdraw_until",
             "withdrawal_deadline": "withdraw_until", "close_date": "closes",
             "closing_date": "closes", "ends": "closes", "contact_us": "contact",
             "timezone": "time_zone", "tz": "time_zone",
             "support_page": "support", "consent_form": "consent", "agreement": "consent"}


def survey_version(definition: dict) -> str:
    """A short content hash of a survey definition (the plain parsed YAML).

    The first 16 hex characters of the SHA-256 of its canonical JSON:
    ``json.dumps(definition, sort_keys=True, separators=(",", ":"))``.
    Any change of wording gives a new version; re-indenting the file does not.
    """
    canonical = json.dumps(plain(definition), sort_keys=True, separators=(",", ":"),
                           default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def load_survey_text(text: str, *, path: str, question_types: QuestionTypeRegistry,
                     survey_id: str | None = None) -> Survey:
    """Load a survey from YAML text, or raise :class:`SurveyError` listing every problem.

    ``path`` is what messages show. The survey's id is the file's ``id:``, else
    ``survey_id``, else the file name in ``path`` without ``.yaml``.
    """
    ctx = Context(path)
    survey = _load(ctx, text, question_types, survey_id or default_survey_id(path))[0]
    if survey is None or ctx.problems:
        raise SurveyError(_in_order(ctx.problems))
    return survey


def load_survey_file(path: str | Path, *, question_types: QuestionTypeRegistry,
                     display_path: str | None = None) -> Survey:
    """Load a survey file; messages name it ``display_path`` (default ``str(path)``)."""
    shown = str(path) if display_path is None else display_path
    text = _read_file(Path(path), shown)
    return load_survey_text(text, path=shown, question_types=question_types,
                            survey_id=default_survey_id(str(path)))


def check_files(paths: Iterable[str | Path], *,
                question_types: QuestionTypeRegistry) -> dict[str, list[Problem]]:
    """Check survey files (a folder means every .yaml file in it), as ``consent-kit check`` does.

    Returns every file's problems by its path; an empty list means the file is
    fine. Two files that give their surveys the same id are reported too.
    """
    results: dict[str, list[Problem]] = {}
    owners: dict[str, str] = {}
    for path in _expand(paths):
        shown = str(path)
        ctx = Context(shown)
        try:
            text = _read_file(path, shown)
        except SurveyError as error:
            results[shown] = error.problems
            continue
        survey, id_line = _load(ctx, text, question_types, default_survey_id(shown))
        if survey is not None and not ctx.problems:
            if survey.id in owners:
                ctx.add(id_line, "", f"{owners[survey.id]} already uses the survey id "
                        f"'{survey.id}'. Each survey needs its own id: change 'id:' in one file.")
            owners.setdefault(survey.id, shown)
        results[shown] = _in_order(ctx.problems)
    return results


def default_survey_id(path: str) -> str:
    """The file name without .yaml or .yml: the id of a survey whose file gives none."""
    name = Path(path).name
    for suffix in SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def _load(ctx: Context, text: str, types: QuestionTypeRegistry,
          default_id: str) -> tuple[Survey | None, int]:
    """Read and check the survey; return it (None if any problem) and the line of its id."""
    if not isinstance(text, str) or not text.strip():
        ctx.add(0, "", "The file is empty. A survey file starts with 'title:' and "
                "'description:', then lists its questions. See docs/survey-files.md.")
        return None, 0
    data = parse_yaml(ctx, text)
    if data is None and not ctx.problems:
        ctx.add(0, "", "The file has only comments in it. Add 'title:', 'description:' "
                "and 'questions:'. See docs/survey-files.md.")
    if data is None:
        return None, 0
    if not isinstance(data, dict):
        ctx.add(line_of(data, 1), "", f"The file should start with settings like 'title: …', "
                f"but it starts with {show(data)}. Check the first lines and the indentation.")
        return None, 0
    settings = types.settings.keys()
    check_keys(ctx, data, SURVEY_KEYS + EXTRA_KEYS + settings, "", what="A survey",
               synonyms=_SYNONYMS)
    ctx.index(data)  # the survey's language and a stable key for each text (translations)
    survey_id, id_line = _read_survey_id(ctx, data, default_id)
    fields: dict[str, Any] = {
        "title": read_text(ctx, data, "title", "", required=True, missing=(
            "the survey has no title. Add a line at the top like "
            "'title: Have your say about youth services'.")),
        "description": read_text(ctx, data, "description", "", required=True, missing=(
            "the survey has no description. Add 'description:' with one or two sentences "
            "about what the survey is for.")),
        "language": _read_language(ctx, data),
        "time_to_complete": read_text(ctx, data, "time_to_complete", ""),
        "status": _read_status(ctx, data),
        "pages": read_pages(ctx, data, types),
        "consent": read_consent(ctx, data),
        "support": read_support(ctx, data),
        **read_promises(ctx, data),
    }
    types.settings.read_all(ctx, data)  # plugins' own keys, checked here so mistakes have lines
    if ctx.problems:
        return None, id_line
    definition = plain(data)
    survey = Survey(id=survey_id, version=survey_version(definition), source=ctx.path,
                    definition=definition, extra={k: definition[k] for k in EXTRA_KEYS + settings
                                                  if k in definition}, **fields)
    return survey, id_line


def _read_survey_id(ctx: Context, data: dict, default_id: str) -> tuple[str, int]:
    if "id" not in data:
        if not SURVEY_ID.match(default_id):
            ctx.add(line_of(data, 1), "", f"this file has no 'id:', and {show(default_id)} "
                    f"(from the file name) can't be used as the survey's id. Add "
                    f"'id: {_slug(default_id)}' at the top, or rename the file. {_ID_RULE}")
        return default_id, line_of(data, 1)
    raw = data["id"]
    line = value_line(data, "id")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        ctx.add(line, "", "'id:' is empty. Write the survey's id after it, like "
                "'id: have-your-say', or delete the line to use the file name.")
        return "", line
    survey_id = plain_scalar(raw).strip() if is_scalar(raw) else ""
    if not SURVEY_ID.match(survey_id):
        ctx.add(line, "", f"the survey id {show(raw)} can't be used. {_ID_RULE} "
                f"Try '{_slug(survey_id)}'.")
    return survey_id, line


_ID_RULE = "A survey id has only lowercase letters, digits and hyphens (-)."


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "my-survey"


def _read_language(ctx: Context, data: dict) -> str:
    raw = data.get("language")
    if raw is None:
        return "en"
    if isinstance(raw, str) and LANGUAGE.match(raw.strip()):
        return raw.strip()
    ctx.add(value_line(data, "language"), "", f"'language' should be a language code like 'en' "
            f"(English) or 'cy' (Welsh), not {show(raw)}.")
    return "en"


def _read_status(ctx: Context, data: dict) -> str:
    raw = data.get("status")
    if raw is None:
        return "open"
    if raw in STATUSES:
        return raw
    guess = did_you_mean(raw, STATUSES)
    hint = f" — did you mean '{guess}'?" if guess else "."
    ctx.add(value_line(data, "status"), "", f"'status' must be open or closed, not "
            f"{show(raw)}{hint}")
    return "open"


def _read_file(path: Path, shown: str) -> str:
    """The file's text (UTF-8, with or without a byte-order mark), or SurveyError."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise _file_error(shown, "There is no file here. Check the name and the folder.") from None
    except IsADirectoryError:
        raise _file_error(shown, "This is a folder, not a survey file.") from None
    except OSError as error:
        raise _file_error(shown, f"This file can't be opened ({error.strerror}). "
                          "Check that you are allowed to read it.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise SurveyError([Problem(shown, line, "", "This file isn't saved as UTF-8 text, so "
                                   "some letters can't be read. Open it in your editor and "
                                   "save it again as 'UTF-8'.")]) from None


def _file_error(shown: str, message: str) -> SurveyError:
    return SurveyError([Problem(shown, 0, "", message)])


def _expand(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files += sorted(p for p in path.iterdir() if p.suffix.lower() in SUFFIXES)
        else:
            files.append(path)
    return files


def _in_order(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: p.line)
