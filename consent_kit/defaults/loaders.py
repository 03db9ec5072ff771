"""Survey files in YAML, the core's own format."""

from __future__ import annotations

from consent_kit.hookspecs import hookimpl
from consent_kit.survey.load.survey_file import load_survey_file


def load_yaml(path, question_types):
    """Read one YAML survey file; raises SurveyError listing every problem."""
    return load_survey_file(path, question_types=question_types)


@hookimpl
def register_survey_loaders(register):
    register(".yaml", load_yaml)
    register(".yml", load_yaml)
