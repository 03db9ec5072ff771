"""The survey-file settings that keep promises true (consent_kit/survey/load/promises.py).

``exit_page`` on by default and off only with a reason; ``closes``,
``withdraw_until`` (a date or "N days after closing") and ``contact``; and the
advice ``consent-kit check`` gives when a survey leaves out what keeps people safe.
"""

from __future__ import annotations

import datetime

import pytest
from click.testing import CliRunner
from test_loader import TYPES

from consent_kit.cli import cli
from consent_kit.survey.load.promises import safety_advice
from consent_kit.survey.load.survey_file import load_survey_text
from consent_kit.survey.model import DEFAULT_EXIT_URL, SurveyError

HEAD = "title: A test survey\ndescription: Just for tests.\n"
QUESTIONS = "questions: [{id: a, type: short_text, label: A}]\n"


def load(body: str):
    return load_survey_text(HEAD + body + QUESTIONS, path="forms/test.yaml",
                            question_types=TYPES)


def problems(body: str) -> list[str]:
    with pytest.raises(SurveyError) as caught:
        load(body)
    return [str(p) for p in caught.value.problems]


def test_withdraw_until_as_a_date():
    survey = load("withdraw_until: 2027-03-31\n")
    assert survey.withdraw_until == datetime.date(2027, 3, 31)
    assert survey.can_withdraw(datetime.date(2027, 3, 31))
    assert not survey.can_withdraw(datetime.date(2027, 4, 1))


def test_withdraw_until_days_after_closing():
    survey = load("closes: 2027-01-31\nwithdraw_until: 90 days after closing\n"
                  "contact: research@example.org\n")
    assert survey.closes == datetime.date(2027, 1, 31)
    assert survey.withdraw_until == datetime.date(2027, 5, 1)
    assert survey.contact == "research@example.org"


def test_no_deadline_means_as_long_as_answers_are_kept():
    survey = load("")
    assert survey.withdraw_until is None and survey.can_withdraw(datetime.date(2100, 1, 1))


@pytest.mark.parametrize(("body", "expected"), [
    ("withdraw_until: 90 days after closing\n",
     "forms/test.yaml:3: 'withdraw_until: 90 days after closing' needs the day the survey closes"),
    ("withdraw_until: soon\n",
     "forms/test.yaml:3: 'withdraw_until' should be the last day people can take their answers back"),
    ("withdraw_until: 2027-02-30\n", "forms/test.yaml:3: 'withdraw_until' should be"),
    ("closes: 2027-06-01\nwithdraw_until: 2027-03-31\n",
     "forms/test.yaml:4: 'withdraw_until' (2027-03-31) is before the survey closes (2027-06-01)"),
    ("closes: next week\n", "forms/test.yaml:3: 'closes' should be a date written year-month-day"),
    ("exit_page: off\n", "forms/test.yaml:3: 'exit_page: off' switches off"),
    ("exit_page_reason: nothing sensitive\n", "forms/test.yaml:3: 'exit_page_reason' is only needed"),
    ("withdraw_by: 2027-03-31\n", "did you mean 'withdraw_until'?"),
])
def test_mistakes_have_the_file_the_line_and_what_to_do(body, expected):
    found = problems(body)
    assert any(expected in p for p in found), found


def test_leave_this_page_is_on_unless_switched_off_with_a_reason():
    assert load("").exit_url == DEFAULT_EXIT_URL
    off = load("exit_page: off\nexit_page_reason: Only about opening times.\n")
    assert (off.exit_url, off.exit_off_reason) == ("", "Only about opening times.")
    assert load("exit_page: https://www.example.org\n").exit_url == "https://www.example.org"


def test_check_advises_on_missing_protections_but_never_fails_without_strict(tmp_path):
    bare = load("")
    advice = [str(p) for p in safety_advice(bare)]
    assert len(advice) == 3 and all(p.severity == "warning" for p in safety_advice(bare))
    assert any("'support:'" in a for a in advice) and any("'exit_page:'" in a for a in advice)
    assert any("'time_to_complete:'" in a for a in advice)
    full = load("time_to_complete: about 2 minutes\nexit_page: https://www.example.org\n"
                "support: {intro: Hi, contacts: [{name: Childline, phone: '0800 1111'}]}\n")
    assert safety_advice(full) == []
    path = tmp_path / "bare.yaml"
    path.write_text(HEAD + QUESTIONS)
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 0 and "advice:" in result.output and "time_to_complete" in result.output
    strict = CliRunner().invoke(cli, ["check", "--strict", str(path)])
    assert strict.exit_code == 1
