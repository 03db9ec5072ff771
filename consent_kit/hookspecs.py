"""Every hook a consent-kit plugin can implement.

Hooks are always called with keyword arguments, and an implementation may
take fewer arguments than the spec lists, so adding an argument never breaks
a plugin. Results are combined by the core where the hook is called: lists are
flattened, registrations refuse duplicate names, and a ``firstresult`` hook
stops at the first answer that is not None.

Every hook that runs inside an app may also take ``kit``: the app's
:class:`consent_kit.Kit` (its store, surveys, current researcher, event
firing). Ask for it by naming it, as for any other argument.

Families: ``register_*`` adds things, ``extra_*`` adds page assets,
``*_from_request`` chooses one thing, events are in the past tense
(``response_submitted``) and contracts are in the imperative
(``erase_participant_data``).
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("consent_kit")
hookimpl = pluggy.HookimplMarker("consent_kit")


@hookspec
def startup(app, kit):
    """Run once when the app has been built (config, store and plugins ready).

    Use it to check your plugin's settings or create what it stores. Return
    nothing. An exception here stops the app from starting, with your plugin's
    name in the message.
    """


@hookspec
def register_question_types(register):
    """Add question types by calling ``register(QuestionType())`` once per type.

    The core collects every plugin's types into one registry; two plugins that
    register the same name stop start-up with an error naming both.
    """


@hookspec
def register_survey_loaders(register):
    """Add ways to read survey files: call ``register(".suffix", loader)``.

    ``loader(path, question_types) -> Survey`` must raise
    :class:`consent_kit.SurveyError` listing every problem (file, line, how to
    fix). The core reads YAML; a plugin might read spreadsheets. Two loaders
    for one suffix is a start-up error.
    """


@hookspec
def register_exporters(register):
    """Add export formats: call ``register(Exporter())`` once per format.

    An exporter has ``name`` (e.g. ``"csv"``), ``label``, ``media_type``,
    ``suffix`` and ``write(survey, responses, out)`` which writes to a binary
    file object while iterating ``responses`` (stream: never hold them all).
    Duplicate names are a start-up error.
    """


@hookspec
def register_blueprints(app, kit):
    """Return a Flask blueprint, or a list of them, to add pages to the app."""


@hookspec
def register_commands(cli):
    """Add commands to the ``consent-kit`` command line: ``cli`` is a click group."""


@hookspec
def extra_template_vars(template, request, kit):
    """Return a dict of extra variables for a page's template; dicts are merged."""


@hookspec
def extra_css_urls(template, request, kit):
    """Return a list of stylesheets to add to a page (same site only).

    Each is a URL, or ``{"url": ..., "instead_of_core": True}`` for a
    stylesheet that already holds the core's rules (e.g. the core's CSS plus
    high contrast) and replaces the core's one, keeping pages to few requests.
    The first such replacement wins.
    """


@hookspec(firstresult=True)
def locale_from_request(request, survey, kit):
    """Return the locale (e.g. ``"cy"``) for this request, or None to pass.

    Stops at the first answer that is not None; the core falls back to the
    survey's own language, then English.
    """


@hookspec
def response_submitted(response, survey, kit):
    """A participant's answers were stored (event; the return value is ignored).

    A plugin that raises here does not lose the participant's answers: the
    error is logged with the plugin's name and shown to admins.
    """


@hookspec
def register_consent_steps(register):
    """Add a page to the consent steps, e.g. a video or audio explanation.

    Call ``register(ConsentStep())``. Steps are shown after the information and
    before "Check you understood", in registration order, for the surveys whose
    ``applies_to(survey)`` is true. Duplicate step names are a start-up error.
    """


@hookspec
def consent_given(record, survey, kit):
    """A participant's consent was stored with their answers (event; return ignored).

    ``record`` is a :class:`consent_kit.ConsentRecord` (a pseudonym, never a name).
    """


@hookspec
def consent_changed(record, survey, kit):
    """A participant changed an optional statement, e.g. "stop using my words" (event)."""


@hookspec
def consent_withdrawn(pseudonym, survey_id, kit):
    """A participant took their answers back; they are already erased (event).

    To erase what your plugin keeps, implement ``erase_participant_data``.
    """


@hookspec
def erase_participant_data(pseudonym, response_ids, kit):
    """Erase everything your plugin stores about this participant (a contract).

    Called when a participant withdraws. Unlike an event, an exception here is
    not swallowed: the withdrawal is reported as incomplete, naming your plugin.
    """


@hookspec
def findings_ready(kit, survey_id, contacts):
    """A survey's findings page was published: tell the people who asked to hear (a notifier).

    ``contacts`` is a list of dicts, one per person who asked "tell me when the
    findings are ready": ``id``, ``contact`` (an email address or phone number),
    ``way`` (``"email"`` or ``"phone"``), ``language`` (of the page they asked on)
    and ``url`` (the findings page). Nothing in it leads to anyone's answers.
    Return the ``id`` of each person you told: the core deletes those contacts
    straight away and notes how many in the audit log. Anyone no plugin told
    stays on the studio's "People waiting to hear" list, for a researcher to
    tell by hand (the built-in notifier). A plugin that fails is logged and
    skipped; its people stay on the list.
    """


@hookspec
def register_payment_providers(register):
    """Add ways to claim a thank-you payment: call ``register(PaymentProvider())``.

    A provider (:class:`consent_kit.PaymentProvider`) has a ``name`` that survey
    files list under ``incentive: ways:``, a ``label`` for participants, and
    ``give(survey_id, claim, incentives)``, which pays (e.g. sends a voucher by
    email) and returns a code to show, or "". The voucher pool is the built-in
    provider. Two providers with one name stop start-up with an error.
    """


@hookspec
def incentive_claimed(claim, survey, kit):
    """A participant claimed a thank-you payment (event; the return value is ignored).

    ``claim`` is a dict (id, survey_id, way, reward, amount, currency, status)
    without contact details, and nothing in it leads to the participant's answers.
    """


@hookspec
def payment_recorded(entry, project_id, kit):
    """A payment or cost was added to a project's ledger (event; return ignored).

    ``entry`` is a :class:`consent_kit.LedgerEntry`; a correction is a new entry
    whose ``replaces`` names the entry it corrects.
    """


@hookspec(firstresult=True)
def storage_backend(config):
    """Return a :class:`consent_kit.Store` to use instead of the embedded store, or None.

    Stops at the first answer that is not None.
    """


@hookspec
def page_parts(slot, template, request, survey, link, kit):
    """Return HTML (a ``markupsafe.Markup``) to place in a named slot of a page, or None.

    Slots on participant pages: ``"header"`` (top of every page: e.g. a
    language switcher or display options), ``"start"`` (the start page, above
    the button), ``"done"`` (the Thank you page, under the reference),
    ``"saved"`` (the "your answers are saved" page, beside the link), and
    ``"copy"`` (the participant's copy of their consent, beside the withdrawal
    link). Every plugin's parts are shown, in plugin order. ``survey`` is the
    survey being shown, or None. ``link`` is the address the slot sits beside
    (``"saved"``: the link to carry on; ``"copy"``: the withdrawal link), or
    "". Anything you return is placed as it is: escape what you did not write.
    """


@hookspec
def response_breakdowns(survey, kit):
    """Return ways to split a survey's results and exports, e.g. by where people came from.

    Return a list of :class:`consent_kit.Breakdown` (``id``, ``label`` and
    ``value_of(response) -> str``, the group a response belongs to, e.g. "Library
    poster"). Results pages offer each as "Split by ..." and exports add a
    column per breakdown. Duplicate ids are an error naming both plugins.
    """


@hookspec
def survey_advice(survey, kit):
    """Return advice on a survey's wording: a list of :class:`consent_kit.Problem` warnings.

    Shown by ``consent-kit check`` (as warnings, which never fail the check),
    beside each text in the survey builder, and on the survey's page in the
    studio. Advice never stops a survey from being published: researchers decide.
    """


@hookspec
def check_text(text, context, kit):
    """Return advice on one text of a survey: a list of :class:`consent_kit.Problem` warnings.

    ``text`` is the words (a ``str``); ``context`` is a
    :class:`consent_kit.TextPlace` (``survey``, ``where``, ``field``, ``line``,
    ``language``). Called for every text people read, in every language it is
    written in; return ``[]`` for languages you can't check. The results join
    ``survey_advice`` and, like it, never block anything.
    """


@hookspec
def item_parts(kind, item_id, template, request, survey, kit):
    """Return HTML (a ``markupsafe.Markup``) to place just before one item of a page, or None.

    ``kind`` is ``"question"`` (before each question on a question page),
    ``"section"`` (before each section of the consent information) or
    ``"finding"`` (under the heading of each part of a findings page, whose words
    are in ``kit.request_state("read_aloud")``; see docs/findings.md); ``item_id``
    is its id in ``survey``. Use it for another version of that one item: an
    easy-read text, a "Listen" player, a sign language video link. Every
    plugin's parts are shown, in plugin order; escape what you did not write.
    """


@hookspec
def register_survey_settings(register):
    """Own a top-level setting of survey files: call ``register(SurveySetting(...))``.

    A :class:`consent_kit.SurveySetting` has a ``key`` (e.g. ``"incentive"``),
    a ``description`` and ``check(reader)``, which reports each mistake with
    ``reader.problem(message, line=None)`` so that ``consent-kit check`` and the
    studio name the file and the line. The value is kept in ``survey.extra[key]``.
    A key no plugin owns is a mistake in the file ("did you mean ...?"). Two
    plugins owning one key stop start-up with an error naming both.
    """


@hookspec
def survey_tasks(survey_id, user, kit):
    """Add tasks to a survey's task list in the studio: return a list of :class:`consent_kit.StudioTask`.

    A task has a ``title`` ("Languages"), a ``url``, an optional ``status``
    (``StudioTask.NOT_STARTED``, ``IN_PROGRESS``, ``DONE`` or
    ``NEEDS_ATTENTION``), a short ``hint`` and an ``order`` (the core's tasks use
    10, 20, ...). ``user`` is the signed-in researcher; return only what they may open.
    """


@hookspec
def project_actions(project, user, kit):
    """Add links to a project's page in the studio: return a list of :class:`consent_kit.StudioTask`.

    ``project`` has ``id``, ``name`` and ``members``; ``user`` is the signed-in
    researcher. The ``status`` of a project action is usually left empty.
    """
