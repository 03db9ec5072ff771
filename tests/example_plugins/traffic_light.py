"""A throwaway plugin: a "traffic light" question whose labels don't rely on colour."""

from wtforms.fields.choices import SelectChoice

from consent_kit import PlainRadioField, QuestionType, hookimpl

LIGHTS = (
    ("green", "Going well"),
    ("amber", "Some problems"),
    ("red", "Not going well"),
)


class TrafficLight(QuestionType):
    name = "traffic_light"
    label = "Traffic light"
    description = "Going well, some problems, or not going well."
    template = "questions/radios.html"
    prefer_not_to_say_is_choice = True

    def make_field(self, question, **_):
        choices = [SelectChoice(value, label) for value, label in LIGHTS]
        return PlainRadioField(question.label, choices=choices)

    def describe_answer(self, question, answer):
        return dict(LIGHTS).get(answer, "")


@hookimpl
def register_question_types(register):
    register(TrafficLight())
