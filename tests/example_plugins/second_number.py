"""A throwaway plugin that claims the core's "number" type name."""

from consent_kit import QuestionType, hookimpl


class AnotherNumber(QuestionType):
    name = "number"


@hookimpl
def register_question_types(register):
    register(AnotherNumber())
