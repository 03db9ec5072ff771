"""WTForms built from the survey model, one form per page, through the question-type registry."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField

from consent_kit.survey.model import PREFER_NOT_TO_SAY, Question
from consent_kit.survey.question_types import QuestionType, QuestionTypeRegistry

PNTS_SUFFIX = "__pnts"


class Option(NamedTuple):
    """One choice as a template draws it."""

    id: str
    value: str
    label: str
    hint: str
    checked: bool
    after_or: bool


@dataclass
class FieldView:
    """What a question template needs: the question, its type, its field and its error."""

    question: Question
    qtype: QuestionType
    field: object | None
    pnts: object | None
    #: True when the label or help holds an earlier answer (``${name}``): drawn fresh every time.
    piped: bool = False

    @cached_property
    def error(self) -> str:
        """The first error message for this question, or ""."""
        if self.field is None:
            return ""
        return str(self.field.errors[0]) if self.field.errors else ""

    @cached_property
    def options(self) -> list[Option]:
        """The choices ready to draw, worked out once (templates are slow at this)."""
        hints = self.hints
        data = self.field.data
        chosen = set(data) if isinstance(data, list | tuple) else {data}
        alone = {c.value for c in self.question.choices if c.exclusive} | {PREFER_NOT_TO_SAY}
        values = [c.value for c in self.field.choices]
        # An "or" before the first of the answers that stand alone, as GOV.UK does.
        return [
            Option(f"{self.question.id}-{n}", c.value, c.label, hints.get(c.value, ""),
                   c.value in chosen, n > 0 and c.value in alone and values[n - 1] not in alone)
            for n, c in enumerate(self.field.choices)
        ]

    @property
    def hints(self) -> dict[str, str]:
        """Choice value -> its hint text, for choice templates."""
        return {c.value: c.hint for c in self.question.choices if c.hint}

    @property
    def anchor(self) -> str:
        """The id of the input the error summary links to."""
        if self.question.type == "date":
            return f"{self.question.id}-day"
        if getattr(self.qtype, "needs_choices", False) or self.qtype.prefer_not_to_say_is_choice:
            return f"{self.question.id}-0"
        return self.question.id


class PageForm(FlaskForm):
    """A page of questions. "Prefer not to say" ticked means the field itself may be empty."""

    class Meta:
        # CSRFProtect already checks every POST before the view runs; a second
        # token per form would only cost time.
        csrf = False

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        for name, field in self._fields.items():
            if name.endswith(PNTS_SUFFIX) and field.data:
                target = self._fields.get(name[: -len(PNTS_SUFFIX)])
                if target is not None and target.errors:
                    target.errors = []
        return ok or not any(f.errors for f in self._fields.values())


def build_page_form(
    questions: list[Question],
    registry: QuestionTypeRegistry,
    answers: dict,
    formdata=None,
    cache: dict | None = None,
):
    """Return ``(form, views)`` for these questions, filled from ``answers`` when not posted.

    ``cache`` keeps the form class for each set of questions, so a page's
    fields are built once, not on every request.
    """
    key = tuple(questions)
    form_class = cache.get(key) if cache is not None else None
    if form_class is None:
        form_class = _form_class(questions, registry)
        if cache is not None:
            cache[key] = form_class
    data = _prefill(questions, registry, answers)
    form = form_class(formdata=formdata, data=data) if formdata is not None else form_class(data=data)
    views = [
        FieldView(
            q,
            registry[q.type],
            form._fields.get(q.id),
            form._fields.get(q.id + PNTS_SUFFIX),
        )
        for q in questions
    ]
    return form, views


def _form_class(questions, registry) -> type:
    attrs = {}
    for question in questions:
        qtype = registry[question.type]
        if not qtype.takes_answer:
            continue
        attrs[question.id] = qtype.make_field(question, prefer_not_to_say_label="")
        if question.prefer_not_to_say and not qtype.prefer_not_to_say_is_choice:
            attrs[question.id + PNTS_SUFFIX] = BooleanField(_l("I'd prefer not to say"))
    return type("PageForm", (PageForm,), attrs)


def _prefill(questions, registry, answers) -> dict:
    data = {}
    for question in questions:
        if question.id not in answers:
            continue
        answer = answers[question.id]
        qtype = registry[question.type]
        if answer == PREFER_NOT_TO_SAY and not qtype.prefer_not_to_say_is_choice:
            data[question.id + PNTS_SUFFIX] = True
            continue
        data[question.id] = qtype.data_from_answer(question, answer)
    return data


def answers_from_form(form, views: list[FieldView]) -> dict:
    """The stored values of a validated page form."""
    answers = {}
    for view in views:
        if view.field is None:
            continue
        if view.pnts is not None and view.pnts.data:
            answers[view.question.id] = PREFER_NOT_TO_SAY
            continue
        value = view.qtype.answer_from_data(view.question, view.field.data)
        if value not in (None, "", []):
            answers[view.question.id] = value
    return answers


def error_list(views: list[FieldView]) -> list[tuple[str, str, str]]:
    """``(anchor, question label, message)`` for the error summary, in page order.

    A message that would appear twice (two number boxes both saying "Enter a
    number, like 16") names its question, so no two lines read the same.
    """
    errors = [(v.anchor, v.question.label, v.error) for v in views if v.error]
    counts = Counter(message for _, _, message in errors)
    return [(anchor, label, message if counts[message] == 1 else
             gettext("%(message)s, for ‘%(question)s’", message=message, question=label))
            for anchor, label, message in errors]
