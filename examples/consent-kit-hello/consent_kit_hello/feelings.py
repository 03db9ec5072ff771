"""A "feelings" question: five faces, each with words, so nothing depends on colour or on the face."""

from markupsafe import Markup, escape
from wtforms.fields.choices import SelectChoice

from consent_kit import PlainRadioField, QuestionType

#: (stored value, face, words). The words are what people read and what exports show.
FEELINGS = (
    ("1", "\N{PENSIVE FACE}", "Very unhappy"),
    ("2", "\N{SLIGHTLY FROWNING FACE}", "Unhappy"),
    ("3", "\N{NEUTRAL FACE}", "Neither happy nor unhappy"),
    ("4", "\N{SLIGHTLY SMILING FACE}", "Happy"),
    ("5", "\N{GRINNING FACE}", "Very happy"),
)
WORDS = {value: words for value, _, words in FEELINGS}


def _label(face: str, words: str) -> Markup:
    # The face is decoration: screen readers read the words only.
    return Markup('<span aria-hidden="true">{}</span> {}').format(face, escape(words))


class Feelings(QuestionType):
    name = "feelings"
    label = "Feelings (faces)"
    description = "How someone feels, from very unhappy to very happy: faces with words."
    template = "questions/radios.html"
    prefer_not_to_say_is_choice = True

    def make_field(self, question, **_):
        choices = [SelectChoice(value, _label(face, words)) for value, face, words in FEELINGS]
        return PlainRadioField(question.label, choices=choices)

    def describe_answer(self, question, answer):
        if answer in WORDS:
            return WORDS[answer]
        return super().describe_answer(question, answer)
