"""Check a definition with the real loader, and name its versions.

Every change the builder makes, and every uploaded file, goes through
:func:`check`: the same loader and the same messages as ``consent-kit check``.
No Flask here.
"""

from __future__ import annotations

from consent_kit.studio.builder.texts import to_yaml
from consent_kit.survey.load.survey_file import load_survey_text, survey_version
from consent_kit.survey.model import Problem, Survey, SurveyError
from consent_kit.survey.question_types import QuestionTypeRegistry

#: Biggest survey file accepted from an upload (a long survey is ~60 KB).
MAX_UPLOAD_BYTES = 512 * 1024


def check(definition: dict, types: QuestionTypeRegistry, survey_id: str) -> Survey:
    """The survey ``definition`` makes, or :class:`SurveyError` with every problem.

    The definition is written out as the survey file and read back, so what
    is checked is exactly what will be published.
    """
    return load_survey_text(to_yaml(definition), path=f"{survey_id}.yaml",
                            question_types=types, survey_id=survey_id)


def check_upload(data: bytes, filename: str, types: QuestionTypeRegistry,
                 survey_id: str) -> Survey:
    """Read an uploaded survey file as data (never code) and check it; messages name the file.

    The survey's id is the file's ``id:``, else ``survey_id``.
    """
    shown = _display_name(filename)
    if len(data) > MAX_UPLOAD_BYTES:
        raise SurveyError([Problem(shown, 0, "", "This file is too big for a survey file. "
                                   "Check you chose the right file.")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise SurveyError([Problem(shown, line, "", "This file isn't saved as UTF-8 text, so "
                                   "some letters can't be read. Open it in your editor and save "
                                   "it again as 'UTF-8'.")]) from None
    return load_survey_text(text, path=shown, question_types=types, survey_id=survey_id)


def content_version(definition: dict) -> str:
    """The version of a survey's words and questions, whether it is open or closed.

    Closing and reopening a survey doesn't change what people read, so an
    approval of a version still counts after it.
    """
    return survey_version({k: v for k, v in definition.items() if k != "status"})


def _display_name(filename: str) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[:100] or "uploaded file"
