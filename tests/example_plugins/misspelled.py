"""A throwaway plugin with a misspelled hook name."""

from consent_kit import hookimpl


@hookimpl
def register_question_typos(register):
    pass
