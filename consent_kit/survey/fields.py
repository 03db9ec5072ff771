"""WTForms fields and validators shared by question types, with messages in plain words."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l
from wtforms import Field, RadioField, SelectMultipleField, StringField
from wtforms.utils import unset_value
from wtforms.validators import StopValidation, ValidationError

from consent_kit.survey.model import PREFER_NOT_TO_SAY, Validation


class AnswerRequired:
    """Stop with a plain message when a question that needs an answer has none."""

    field_flags = {"required": True}

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        data = field.data
        if data is None or data == "" or data == [] or (isinstance(data, str) and not data.strip()):
            field.errors[:] = []
            raise StopValidation(self.message)


class AnswerNeeded:
    """The message for a question left empty, naming what to do (the GOV.UK error pattern).

    The researchers' own ``validation.message`` wins. Otherwise, on an English
    page, a plain question label is turned round into an instruction ("How
    old are you?" → "Choose how old you are"); when that can't be done safely,
    or in another language, the message quotes the question ("Choose an
    answer to ‘How old are you?’"). Worked out when shown, in the page's
    language, because one form class serves every language.
    """

    #: kind -> the English verb for a turned-round label.
    VERBS = {"choose": "Choose", "choose_any": "Choose", "yes_no": "Choose",
             "enter": "Enter", "number": "Enter", "date": "Enter"}

    def __init__(self, question, kind: str = "enter"):
        self.question, self.kind = question, kind

    def __str__(self) -> str:
        own = self.question.validation.message
        if own:
            return str(own)
        label = str(self.question.label).strip()
        if str(get_locale() or "en").split("_")[0] == "en":
            what = instruction_from_label(label, yes_no=self.kind == "yes_no")
            if what:
                return f"{self.VERBS.get(self.kind, 'Choose')} {what}"
        return _quoting_message(self.kind, label)


def _quoting_message(kind: str, label: str) -> str:
    """"Choose an answer to ‘…’" and friends, for labels that can't be turned round."""
    if kind in ("choose", "yes_no"):
        return gettext("Choose an answer to ‘%(question)s’", question=label)
    if kind == "choose_any":
        return gettext("Choose at least one answer to ‘%(question)s’", question=label)
    if kind == "number":
        return gettext("Enter a number for ‘%(question)s’", question=label)
    if kind == "date":
        return gettext("Enter a date for ‘%(question)s’", question=label)
    return gettext("Enter an answer to ‘%(question)s’", question=label)


_AUX = "are|is|were|was|have|has|had|can|could|would|will|should|do"
#: "What is your name?" → "your name"
_WHAT_IS_YOUR = re.compile(r"^what(?:'s|’s| is) (your [^?]+)\?$", re.I)
#: "Who is your trusted adult?" → "who your trusted adult is"
_WH_IS_YOUR = re.compile(r"^(how|what|which|when|where|who|why)\b([^?]*?) (is|are|was|were) (your [^?]+)\?$",
                         re.I)
#: "Which services have you used?" → "which services you have used"
_WH = re.compile(rf"^(how|what|which|when|where|who|why)\b([^?]*?) ({_AUX}) (you|it|they|we)\b([^?]*)\?$",
                 re.I)
#: "Do you have a trusted adult?" → "yes if you have a trusted adult"
_YES_NO = re.compile(r"^(are|do|have|can|would|will|were) you\b([^?]*)\?$", re.I)


def instruction_from_label(label: str, *, yes_no: bool = False) -> str | None:
    """An English question label turned into the words after "Choose"/"Enter", or None.

    Only a few everyday shapes of question are turned round; anything else
    (or a label that isn't a single plain question) gives None, and the
    message quotes the question instead, so it is never wrong.
    """
    if "\n" in label or label.count("?") != 1 or not label.endswith("?"):
        return None
    if yes_no:
        match = _YES_NO.match(label)
        if not match:
            return None
        aux, rest = match.group(1).lower(), match.group(2)
        return f"yes if you{'' if aux == 'do' else ' ' + aux}{rest}"
    match = _WHAT_IS_YOUR.match(label)
    if match:
        return match.group(1)
    match = _WH_IS_YOUR.match(label)
    if match:
        wh, middle, verb, subject = match.groups()
        return f"{wh.lower()}{middle} {subject} {verb.lower()}"
    match = _WH.match(label)
    if match:
        wh, middle, aux, subject, rest = match.groups()
        aux = "" if aux.lower() == "do" else f" {aux.lower()}"  # "where do you live" → "where you live"
        return f"{wh.lower()}{middle} {subject.lower()}{aux}{rest}"
    return None


class Optional:
    """Skip the other checks when an optional question was left empty."""

    field_flags = {"optional": True}

    def __call__(self, form, field):
        # Look at what was typed, not the parsed value: "lots" in a number box
        # parses to None but is a mistake to report, not an empty answer.
        raw = field.raw_data if field.raw_data is not None else [field.data]
        if not any(isinstance(v, str) and v.strip() or v not in (None, "", []) for v in raw):
            field.errors[:] = []
            raise StopValidation()


class TextLimits:
    """Length and pattern limits from a question's ``validation``, with the researchers' message."""

    def __init__(self, rules: Validation):
        self.rules = rules

    def __call__(self, form, field):
        text = field.data or ""
        rules = self.rules
        if rules.min_length is not None and len(text) < rules.min_length:
            raise ValidationError(
                rules.message or _l("Write at least %(n)s characters", n=rules.min_length)
            )
        if rules.max_length is not None and len(text) > rules.max_length:
            raise ValidationError(
                rules.message or _l("Write %(n)s characters or fewer", n=rules.max_length)
            )
        if rules.pattern and not re.fullmatch(rules.pattern, text):
            raise ValidationError(rules.message or _l("Check the format of your answer"))


class NumberLimits:
    """``min``/``max`` limits on a number, with the researchers' message."""

    def __init__(self, rules: Validation):
        self.rules = rules

    def __call__(self, form, field):
        value, rules = field.data, self.rules
        if value is None or value == PREFER_NOT_TO_SAY:
            return
        too_low = rules.min is not None and value < rules.min
        too_high = rules.max is not None and value > rules.max
        if too_low or too_high:
            raise ValidationError(rules.message or _number_range_message(rules))


def _number_range_message(rules: Validation):
    low, high = _plain_number(rules.min), _plain_number(rules.max)
    if rules.min is not None and rules.max is not None:
        return _l("Enter a number from %(low)s to %(high)s", low=low, high=high)
    if rules.min is not None:
        return _l("Enter a number that is %(low)s or more", low=low)
    return _l("Enter a number that is %(high)s or less", high=high)


def _plain_number(value):
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


class NumberField(StringField):
    """A number typed as text (GOV.UK advice: not ``type=number``), kept as int or float."""

    def process_formdata(self, valuelist):
        self.raw_data = valuelist
        text = (valuelist[0] if valuelist else "").strip().replace(",", "")
        if not text:
            self.data = None
            return
        try:
            number = Decimal(text)
            if not number.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.data = None
            raise ValueError(_l("Enter a number, like 16")) from None
        self.data = int(number) if number == number.to_integral_value() else float(number)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class DatePartsField(Field):
    """A date typed as day, month and year in three boxes (the GOV.UK date input pattern).

    ``data`` is an ISO date string (``"2026-03-27"``) or None; ``parts`` holds
    what was typed so a mistake can be shown back as it was.
    """

    PARTS = ("day", "month", "year")

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        self.parts = dict.fromkeys(self.PARTS, "")
        self.data = None if data is unset_value else data
        self.object_data = self.data
        if formdata is not None and any(self.part_name(p) in formdata for p in self.PARTS):
            self.parts = {p: formdata.get(self.part_name(p), "").strip() for p in self.PARTS}
            self.raw_data = list(self.parts.values())
            try:
                self.data = self._parse()
            except ValueError as error:
                self.data = None
                self.process_errors.append(error.args[0])
        elif isinstance(self.data, str) and self.data != PREFER_NOT_TO_SAY:
            year, month, day = self.data.split("-")
            self.parts = {"day": str(int(day)), "month": str(int(month)), "year": year}

    def part_name(self, part: str) -> str:
        """The form name of one box, e.g. ``visit-day``."""
        return f"{self.name}-{part}"

    def _parse(self):
        if not any(self.parts.values()):
            return None
        missing = [p for p in self.PARTS if not self.parts[p]]
        if missing:
            raise ValueError(_l("The date must include a day, month and year"))
        try:
            day, month, year = (int(self.parts[p]) for p in self.PARTS)
            if year < 1000:
                raise ValueError
            return datetime.date(year, month, day).isoformat()
        except ValueError:
            raise ValueError(_l("Enter a real date, like 27 3 2026")) from None


class NotInFuture:
    """Refuse a date after today."""

    def __call__(self, form, field):
        if field.data and field.data != PREFER_NOT_TO_SAY:
            if datetime.date.fromisoformat(field.data) > datetime.date.today():
                raise ValidationError(_l("The date must be today or in the past"))


class ChoiceCount:
    """For multiple choice: how many may be chosen, and an exclusive choice alone.

    "Prefer not to say" and any choice marked ``exclusive`` ("None of these")
    can't be ticked with other answers; the server checks it, as a browser
    without JavaScript can't stop it.
    """

    def __init__(self, rules: Validation, exclusive: dict[str, str] | None = None):
        self.rules = rules
        self.exclusive = exclusive or {}  # value -> label

    def __call__(self, form, field):
        chosen = field.data or []
        if PREFER_NOT_TO_SAY in chosen and len(chosen) > 1:
            raise ValidationError(_l("Choose ‘Prefer not to say’ or other answers, not both"))
        alone = [value for value in chosen if value in self.exclusive]
        if alone and len(chosen) > 1:
            raise ValidationError(gettext("Choose ‘%(choice)s’ or other answers, not both",
                                          choice=self.exclusive[alone[0]]))
        rules = self.rules
        if rules.min is not None and len(chosen) < rules.min:
            raise ValidationError(rules.message or _l("Choose at least %(n)s", n=int(rules.min)))
        if rules.max is not None and len(chosen) > rules.max:
            raise ValidationError(rules.message or _l("Choose up to %(n)s", n=int(rules.max)))


class PlainRadioField(RadioField):
    """A radio group that says plainly when a posted value isn't one of its choices."""

    def pre_validate(self, form):
        if self.data is not None and self.data not in {c.value for c in self.choices}:
            raise ValidationError(_l("Choose one of the answers shown"))


class PlainCheckboxesField(SelectMultipleField):
    """Tick boxes that say plainly when a posted value isn't one of their choices."""

    def pre_validate(self, form):
        allowed = {c.value for c in self.choices}
        if any(value not in allowed for value in self.data or []):
            raise ValidationError(_l("Choose from the answers shown"))
