"""What the builder's pages share: the blueprint, the survey being edited, saving a change.

The pages are in :mod:`.builder` (editing), :mod:`.builder_publish`
(publish, approve, close, duplicate, files) and :mod:`.builder_preview`.
The logic they call is in :mod:`consent_kit.studio.builder` (no Flask).
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consent_kit.findings import pictures as findings_pictures
from consent_kit.plugin_calls import survey_advice
from consent_kit.studio.auth import current_project, current_user, not_found
from consent_kit.studio.builder import BuilderError, Workspace, check, normalise, pictures, revision
from consent_kit.studio.builder.choices import OPERATORS, choice_rows
from consent_kit.studio.builder.ops import find_question
from consent_kit.studio.builder.places import place_words
from consent_kit.studio.builder.starter import is_placeholder
from consent_kit.studio.builder.texts import language_of, text_of
from consent_kit.survey.load.values import default_choices
from consent_kit.survey.model import Problem, Survey, SurveyError
from consent_kit.web.helpers import kit

bp = Blueprint("builder", __name__, template_folder="templates", url_prefix="/studio")

#: How a type's own settings are named on the page (others show their own name).
OPTION_WORDS = {
    "min": _l("Lowest number"), "max": _l("Highest number"),
    "min_label": _l("Words for the lowest number"),
    "max_label": _l("Words for the highest number"),
    "not_in_future": _l("Don't allow dates after today"),
}


class Stale(Exception):
    """Someone else changed the draft after this form was shown."""


#: What a refused change raises: the builder's own check, the loader's, or a stale form.
CHANGE_FAILED = (BuilderError, SurveyError, Stale)


@bp.record_once
def _init_app(setup_state) -> None:
    app = setup_state.app
    kit = app.extensions["consent_kit"]
    space = Workspace(kit.store, Path(app.config["FORMS_DIR"]))
    app.extensions["consent_kit_builder"] = space
    if space.mirror.shared:  # several servers, one database: published surveys come from it
        kit.catalog.sync = space.mirror.sync
    findings_pictures.share(app.instance_path, kit.store)  # and uploaded pictures (no-op on one server)
    app.extensions["consent_kit_builder_recent"] = Recent()


class Recent:
    """The last few results by key, for work every builder page repeats.

    Checking a long survey with the loader takes a noticeable moment, and each
    page of the builder needs it for the same draft. Keys name exactly what
    the result depends on (the survey id and the draft's revision), so an
    entry never goes stale.
    """

    def __init__(self, size: int = 16):
        self.size = size
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, make: Callable):
        """The result for ``key``, made with ``make()`` when it isn't kept."""
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        value = make()
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return value


def recent() -> Recent:
    """This app's :class:`Recent` results."""
    return current_app.extensions["consent_kit_builder_recent"]


def workspace() -> Workspace:
    """The builder's records for this app (``app.extensions["consent_kit_builder"]``)."""
    return current_app.extensions["consent_kit_builder"]


def me() -> str:
    """The signed-in researcher's username."""
    return current_user().username


@dataclass
class Editing:
    """The survey a page works on: its draft (or the live version), checked."""

    survey_id: str
    definition: dict
    survey: Survey | None
    published: Survey | None
    draft: dict | None
    problems: list[Problem]
    #: The draft exactly as it is, as forms send it back (see :class:`Stale`). Worked out
    #: once per request: every form on a page carries it (two per question on the outline),
    #: and hashing a long survey for each made a 1,000-question outline take 15 s.
    revision: str = ""

    def __post_init__(self) -> None:
        if not self.revision:
            self.revision = revision(self.definition)

    @property
    def language(self) -> str:
        """The survey's own language: the one the builder edits."""
        return language_of(self.definition)


def editing(survey_id: str) -> Editing | None:
    """The draft of a survey, else its live version; None when there is neither."""
    published = kit().catalog.get(survey_id)
    draft = workspace().draft(survey_id)
    if draft is not None:
        definition = normalise(draft["definition"])
    elif published is not None:
        definition = normalise(published.definition)
    else:
        return None
    hashed = revision(definition)  # once: the check below and every form use it
    survey, problems = recent().get(("check", survey_id, hashed),
                                    lambda: _checked(definition, survey_id))
    return Editing(survey_id, definition, survey, published, draft, problems, hashed)


def _checked(definition: dict, survey_id: str) -> tuple[Survey | None, list[Problem]]:
    try:
        return check(definition, kit().question_types, survey_id), []
    except SurveyError as error:
        return None, error.problems


def editing_or_404(survey_id: str) -> Editing:
    """Like :func:`editing`, but stop with "not found" when there is nothing to edit."""
    found = editing(survey_id)
    if found is None:
        abort(not_found())
    return found


def save_change(ed: Editing, make: Callable[[dict], dict]) -> Survey:
    """Apply ``make`` to the draft, check the result with the loader, and keep it.

    Raises :class:`Stale` when the form was shown for an older draft,
    :class:`SurveyError` (loader's words) or :class:`BuilderError` when the
    change can't be made; nothing is kept then.
    """
    sent = request.form.get("revision", "")
    if sent and sent != ed.revision:
        raise Stale()
    changed = make(ed.definition)
    survey = check(changed, kit().question_types, ed.survey_id)
    workspace().save_draft(ed.survey_id, changed, me())
    return survey


def problem_words(problems: list[Problem]) -> list[str]:
    """Loader problems as sentences for a page (where it is, then what to do)."""
    return [f"{p.where[:1].upper()}{p.where[1:]}: {p.message}" if p.where else p.message
            for p in problems]


def change_errors(error: Exception, field: str = "main") -> list[tuple[str, str, str]]:
    """An error summary (anchor, label, message) for a change that wasn't made."""
    if isinstance(error, Stale):
        return [(field, _("Survey"), _("Someone else changed this survey while you were "
                                       "working on it. Your change was not saved: look at the "
                                       "survey as it is now, then make your change again."))]
    if isinstance(error, BuilderError):  # words marked in consent_kit.studio.builder, translated here
        return [(error.field or field, _("Survey"), _(error.message, **error.params))]
    return [(field, _("Survey"), words) for words in problem_words(error.problems)]


def advice_for(ed: Editing, *names: str) -> list[str]:
    """Plain-language advice from plugins on this survey, about the parts named (all if none)."""
    if ed.survey is None:
        return []
    # Not kept between pages: advice can change with things outside the survey (a project's
    # own word list), and the survey's words are what people are changing here.
    found = survey_advice(kit().pm, ed.survey)
    if names:
        found = [p for p in found if any(f"'{n}'" in p.where for n in names)]
    return problem_words(named(ed, found))


def named(ed: Editing, problems: list[Problem]) -> list[Problem]:
    """Problems whose place is named by what people wrote ("The section ‘What will I be
    asked?’"), never by an id people don't see in the browser."""
    return [dataclasses.replace(p, where=place_words(ed.definition, p.where, _)) for p in problems]


def uploaded_picture(survey_id: str, name: str) -> str:
    """An Easy Read picture sent with the form: checked, cleaned and kept ("" when none was)."""
    upload = request.files.get("easy_read_picture")
    if upload is None or not upload.filename:
        return ""
    return pictures.keep_picture(upload.read(), workspace().forms, survey_id, name,
                                 mirror=workspace().mirror)


def done(message: str, survey_id: str, anchor: str = ""):
    """Say what happened and go back to the survey's outline."""
    flash(message, "success")
    return redirect(url_for("builder.overview", survey_id=survey_id) + anchor)


def render(template: str, ed: Editing | None, *, errors=(), status: int = 200, **context):
    """A builder page, with what every builder page shows.

    After a refused change the form shows what was typed (``value`` and
    ``checked`` in templates), so nothing typed is lost.
    """
    typed = request.form if errors and request.method == "POST" else None

    def value(name: str, default="") -> str:
        """What was typed in ``name``, else ``default``."""
        return typed.get(name, "") if typed is not None and name in typed else default

    def checked(name: str, default: bool) -> bool:
        """Whether the box ``name`` was ticked, else ``default``."""
        return typed.get(name) in ("yes", "on") if typed is not None else bool(default)

    return render_template(template, ed=ed, project=current_project(), errors=list(errors),
                           value=value, checked=checked, text_of=text_of,
                           is_placeholder=is_placeholder,
                           condition_words=lambda show_if: condition_words(ed, show_if),
                           **context), (400 if errors and status == 200 else status)


def type_choices() -> list[tuple[str, str, str]]:
    """Every question type (plugins' too): (name, label, plain description)."""
    return [(t.name, str(t.label or t.name), str(t.description or ""))
            for t in sorted(kit().question_types, key=lambda t: str(t.label or t.name))]


def condition_words(ed: Editing, show_if) -> str:
    """Skip logic in words: "Only shown if the answer to 'Do you have a job?' is 'Yes'"."""
    if not isinstance(show_if, dict):
        return ""
    operator = next((o for o in OPERATORS if o in show_if), "equals")
    question_id, value = str(show_if.get("question", "")), str(show_if.get(operator, ""))
    label, answer = question_id, value
    try:
        item = find_question(ed.definition, question_id)[2]
    except BuilderError:
        item = None
    if item is not None:
        label = text_of(item.get("label"), ed.language) or question_id
        qtype = kit().question_types.get(str(item.get("type", "")))
        words = {v: w for v, w, _hint in choice_rows(item, ed.language)}
        words.update({c.value: c.label for c in default_choices(qtype)} if not words else {})
        words["prefer_not_to_say"] = _("Prefer not to say")
        answer = str(words.get(value, value))
    sentences = {
        "equals": _("Only shown if the answer to ‘%(question)s’ is ‘%(answer)s’.",
                    question=label, answer=answer),
        "not_equals": _("Only shown if the answer to ‘%(question)s’ is not ‘%(answer)s’.",
                        question=label, answer=answer),
        "includes": _("Only shown if the answers to ‘%(question)s’ include ‘%(answer)s’.",
                      question=label, answer=answer),
    }
    return sentences[operator]
