"""The contract every question type meets, built-in or from a plugin.

A plugin adds a type by returning an instance of a :class:`QuestionType`
subclass from its ``register_question_types`` hook::

    @hookimpl
    def register_question_types(register):
        register(TrafficLight())

The core keeps them in a :class:`QuestionTypeRegistry`, which refuses two
types with the same name and says which plugins both claimed it.
"""

from __future__ import annotations

from typing import Any

from consent_kit.survey.model import PREFER_NOT_TO_SAY, Question
from consent_kit.survey.settings import SurveySettings


class QuestionType:
    """Base class for question types.

    Subclasses set ``name`` (what survey files write after ``type:``),
    ``label`` and ``description`` (plain words shown to researchers), and
    ``template`` (the Jinja template that draws the field). They override
    :meth:`make_field` to build the WTForms field.
    """

    name: str = ""
    label: str = ""
    description: str = ""
    #: False for text that takes no answer (``info``).
    takes_answer: bool = True
    #: True when the question must list ``choices``.
    needs_choices: bool = False
    #: True when "Prefer not to say" is offered as one of the choices rather
    #: than as a separate tick box under the field.
    prefer_not_to_say_is_choice: bool = False
    #: Names of the ``options`` this type understands (others are reported).
    option_names: tuple[str, ...] = ()
    template: str = "questions/text.html"

    def check_definition(self, question: Question) -> list[str]:
        """Return plain-language problems with this question's type-specific settings."""
        return []

    def make_field(self, question: Question, *, prefer_not_to_say_label: str = ""):
        """Return an unbound WTForms field for ``question``."""
        raise NotImplementedError

    def answer_from_data(self, question: Question, data: Any) -> Any:
        """Turn the field's validated data into the JSON value that is stored."""
        return data

    def data_from_answer(self, question: Question, answer: Any) -> Any:
        """Turn a stored answer back into field data, to fill the form again."""
        return answer

    def describe_answer(self, question: Question, answer: Any) -> str:
        """Return the answer as people read it on "Check your answers" and in exports."""
        if answer is None or answer == "" or answer == []:
            return ""
        if answer == PREFER_NOT_TO_SAY:
            from flask_babel import gettext  # here, so the survey model loads without Flask

            return gettext("Prefer not to say")  # in the reader's language (English outside a page)
        labels = {c.value: c.label for c in question.choices}
        if isinstance(answer, list):
            return ", ".join(str(labels.get(str(a), str(a))) for a in answer)
        return str(labels.get(str(answer), str(answer)))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


class DuplicateQuestionType(Exception):
    """Two plugins registered a question type with the same name."""


class QuestionTypeRegistry:
    """The question types of one app, by name."""

    def __init__(self) -> None:
        self._types: dict[str, QuestionType] = {}
        self._owners: dict[str, str] = {}
        #: The survey-file settings plugins own (``register_survey_settings``): the loaders
        #: get this registry, so it carries what else a survey file may say.
        self.settings = SurveySettings()

    def register(self, question_type: QuestionType, *, plugin: str = "?") -> None:
        """Add a type; a second type with the same name is an error naming both plugins."""
        name = question_type.name
        if not name:
            raise ValueError(f"Plugin {plugin!r} registered a question type with no name.")
        if name in self._types:
            raise DuplicateQuestionType(
                f"Two plugins both add a question type called {name!r}: "
                f"{self._owners[name]!r} and {plugin!r}. Block one of them, or rename one type."
            )
        self._types[name] = question_type
        self._owners[name] = plugin

    def get(self, name: str) -> QuestionType | None:
        """The type called ``name``, or None."""
        return self._types.get(name)

    def owner(self, name: str) -> str:
        """The name of the plugin that registered ``name``."""
        return self._owners[name]

    def names(self) -> list[str]:
        """Every registered type name, sorted."""
        return sorted(self._types)

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def __getitem__(self, name: str) -> QuestionType:
        return self._types[name]

    def __iter__(self):
        return iter(self._types.values())

    def __len__(self) -> int:
        return len(self._types)
