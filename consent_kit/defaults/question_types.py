"""The core question types, registered through the same hook a plugin uses."""

from __future__ import annotations

import datetime
from dataclasses import replace

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from consent_kit.hookspecs import hookimpl
from consent_kit.survey.fields import (
    AnswerNeeded,
    AnswerRequired,
    ChoiceCount,
    DatePartsField,
    NotInFuture,
    NumberField,
    NumberLimits,
    Optional,
    PlainCheckboxesField,
    PlainRadioField,
    TextLimits,
)
from consent_kit.survey.model import PREFER_NOT_TO_SAY, Choice, Question
from consent_kit.survey.question_types import QuestionType


def _presence(question: Question, kind: str):
    """Required: a message naming this question (see AnswerNeeded); else optional."""
    return [AnswerRequired(AnswerNeeded(question, kind))] if question.required else [Optional()]


class ShortText(QuestionType):
    name = "short_text"
    label = _l("Short answer")
    description = _l("A line of text, for a word or a short sentence.")
    template = "questions/text.html"

    def make_field(self, question, **_):
        rules = [TextLimits(question.validation)]
        return StringField(question.label, _presence(question, "enter") + rules)


class LongText(ShortText):
    name = "long_text"
    label = _l("Long answer")
    description = _l("A big box for people to write as much as they like.")
    template = "questions/textarea.html"

    def make_field(self, question, **_):
        rules = [TextLimits(question.validation)]
        return TextAreaField(question.label, _presence(question, "enter") + rules)


class Number(QuestionType):
    name = "number"
    label = _l("Number")
    description = _l("A number, such as an age or how many times something happened.")
    template = "questions/number.html"

    def make_field(self, question, **_):
        rules = [NumberLimits(question.validation)]
        return NumberField(question.label, _presence(question, "number") + rules)


class _Choices(QuestionType):
    """Shared by the types whose answer is picked from a list."""

    needs_choices = True
    prefer_not_to_say_is_choice = True

    def choices_for(self, question: Question, prefer_not_to_say_label) -> list[SelectChoice]:
        choices = [SelectChoice(c.value, c.label) for c in question.choices]
        if question.prefer_not_to_say:
            label = prefer_not_to_say_label or _l("Prefer not to say")
            choices.append(SelectChoice(PREFER_NOT_TO_SAY, label))
        return choices


class SingleChoice(_Choices):
    name = "single_choice"
    label = _l("Choose one")
    description = _l("People pick one answer from a list.")
    template = "questions/radios.html"

    def make_field(self, question, *, prefer_not_to_say_label=""):
        choices = self.choices_for(question, prefer_not_to_say_label)
        validators = _presence(question, "yes_no" if self.name == "yes_no" else "choose")
        return PlainRadioField(question.label, validators, choices=choices)

    def answer_from_data(self, question, data):
        return data or None


class YesNo(SingleChoice):
    name = "yes_no"
    label = _l("Yes or no")
    description = _l("People answer yes or no.")
    needs_choices = False

    def default_choices(self) -> tuple[Choice, ...]:
        """Yes and No, used when a survey file lists no choices."""
        return (Choice("yes", "Yes"), Choice("no", "No"))

    def choices_for(self, question, prefer_not_to_say_label):
        return super().choices_for(_with_choices(question, self._in_page_language(question)),
                                   prefer_not_to_say_label)

    def describe_answer(self, question, answer):
        return str(super().describe_answer(_with_choices(question, self._in_page_language(question)),
                                           answer))

    def _in_page_language(self, question) -> tuple[Choice, ...]:
        """The choices, with the built-in "Yes" and "No" in the page's language.

        Lazily, because a page's form is shared by every language. Words the
        survey file gives (and may translate itself) are kept as they are.
        """
        words = {"yes": _l("Yes"), "no": _l("No")}
        built_in = {c.value: c.label for c in self.default_choices()}
        return tuple(Choice(c.value, words[c.value], c.hint)
                     if built_in.get(c.value) == c.label and not getattr(c.label, "key", "") else c
                     for c in question.choices or self.default_choices())


def _with_choices(question: Question, choices) -> Question:
    return replace(question, choices=tuple(choices))


class MultipleChoice(_Choices):
    name = "multiple_choice"
    label = _l("Choose any")
    description = _l("People tick all the answers that fit them.")
    many_answers = True
    template = "questions/checkboxes.html"

    def make_field(self, question, *, prefer_not_to_say_label=""):
        choices = self.choices_for(question, prefer_not_to_say_label)
        validators = _presence(question, "choose_any")
        alone = {c.value: str(c.label).rstrip(".!") for c in question.choices if c.exclusive}
        validators.append(ChoiceCount(question.validation, alone))
        return PlainCheckboxesField(question.label, validators, choices=choices)

    def answer_from_data(self, question, data):
        return list(data or [])

    def describe_answer(self, question, answer):
        if answer == [PREFER_NOT_TO_SAY]:
            answer = PREFER_NOT_TO_SAY
        return super().describe_answer(question, answer)


class Scale(SingleChoice):
    name = "scale"
    label = _l("Scale")
    description = _l("People pick a number on a scale, such as 1 (not at all) to 5 (a lot).")
    needs_choices = False
    option_names = ("min", "max", "min_label", "max_label")
    template = "questions/scale.html"

    def check_definition(self, question):
        low, high = question.options.get("min", 1), question.options.get("max", 5)
        if not isinstance(low, int) or not isinstance(high, int):
            return ["a scale's min and max must be whole numbers, like min: 1 and max: 5"]
        if low >= high:
            return [f"the scale's min ({low}) must be smaller than its max ({high})"]
        if high - low > 10:
            return ["a scale can have at most 11 points; make the range smaller"]
        return []

    def points(self, question: Question) -> list[int]:
        """The numbers on this scale, lowest first."""
        return list(range(question.options.get("min", 1), question.options.get("max", 5) + 1))

    def choices_for(self, question, prefer_not_to_say_label):
        points = tuple(Choice(str(n), str(n)) for n in self.points(question))
        return super().choices_for(_with_choices(question, points), prefer_not_to_say_label)

    def answer_from_data(self, question, data):
        if data in (None, "", PREFER_NOT_TO_SAY):
            return data or None
        return int(data)

    def data_from_answer(self, question, answer):
        return None if answer is None else str(answer)

    def describe_answer(self, question, answer):
        text = super().describe_answer(question, answer)
        labels = {question.options.get("min", 1): question.options.get("min_label", ""),
                  question.options.get("max", 5): question.options.get("max_label", "")}
        end = labels.get(answer) if isinstance(answer, int) else ""
        return f"{text} ({end})" if end else text


class Date(QuestionType):
    name = "date"
    label = _l("Date")
    description = _l("A date, typed as day, month and year.")
    option_names = ("not_in_future",)
    template = "questions/date.html"

    def make_field(self, question, **_):
        validators = _presence(question, "date")
        if question.options.get("not_in_future"):
            validators.append(NotInFuture())
        return DatePartsField(question.label, validators)

    def describe_answer(self, question, answer):
        if answer and answer != PREFER_NOT_TO_SAY:
            return format_date(datetime.date.fromisoformat(answer), "d MMMM y")
        return super().describe_answer(question, answer)


class Info(QuestionType):
    name = "info"
    label = _l("Information")
    description = _l("Some text for people to read. It takes no answer.")
    takes_answer = False
    template = "questions/info.html"


CORE_TYPES = (ShortText, LongText, Number, SingleChoice, MultipleChoice, YesNo, Scale, Date, Info)


@hookimpl
def register_question_types(register):
    for question_type in CORE_TYPES:
        register(question_type())
