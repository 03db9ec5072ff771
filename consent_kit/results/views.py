"""A survey's results and exports in the browser (thin: the logic is in consent_kit.results.summary).

Who may do what: anyone in the survey's project (viewers too) sees the
results, where small numbers are hidden; researchers and admins may also
take the answers away as a file, because a file has every answer, small
groups included. Every export goes on the audit log: who, which survey,
which format, how many rows. The rule on each view decides; the project
comes from the URL's survey, checked in :func:`consent_kit.studio.auth._guard`.
"""

from __future__ import annotations

import tempfile

from flask import (
    Blueprint,
    Response,
    copy_current_request_context,
    current_app,
    g,
    render_template,
    request,
)
from flask_babel import gettext as _
from markupsafe import Markup

from consent_kit.plugin_calls import response_breakdowns
from consent_kit.results.charts import bar_chart
from consent_kit.results.export_versions import export_survey
from consent_kit.results.samples import answers_apart
from consent_kit.results.streaming import stream
from consent_kit.results.summary import (
    DEFAULT_MIN_GROUP,
    core_breakdowns,
    filters_from,
    merge_breakdowns,
    summarise,
)
from consent_kit.results.tallies import current_tally, results_from_tally
from consent_kit.studio.accounts import role_at_least
from consent_kit.studio.auth import audit, current_project, current_user, not_found
from consent_kit.studio.rules import login_required
from consent_kit.web.helpers import kit

bp = Blueprint("results", __name__, template_folder="templates", url_prefix="/studio/surveys")

#: Exports bigger than this go to a temporary file on disk instead of memory.
SPOOL_BYTES = 1024 * 1024
CHUNK_BYTES = 64 * 1024
#: Exports of more answers than this stream while they are written (see results/streaming.py).
STREAM_ROWS = 20_000


@bp.record_once
def _init_app(setup_state) -> None:
    setup_state.app.config.setdefault("RESULTS_MIN_GROUP", DEFAULT_MIN_GROUP)


def min_group() -> int:
    """Counts under this are hidden (``RESULTS_MIN_GROUP``, 5 unless the settings say; at least 1)."""
    try:
        return max(1, int(current_app.config["RESULTS_MIN_GROUP"]))
    except (TypeError, ValueError):
        return DEFAULT_MIN_GROUP


def _words() -> dict:
    n = min_group()
    return {
        "source": _("Where people came from"),
        "language": _("Language"),
        "link": _("The survey link"),
        "not_known": _("Not known"),
        "prefer_not_to_say": _("Prefer not to say"),
        # An earlier answer in a question's words (${name}); gettext leaves %(name)s as it is.
        "answer_to": _("[answer to %(name)s]"),
        "hidden": _("fewer than %(n)d", n=n),
        "no_chart": _("Fewer than %(n)d people gave each answer, so there is no chart yet.",
                      n=n),
        "axis": _("Number of people"),
        "desc": _("Bar chart. The same numbers are in the table under it."),
    }


def _survey_or_none(survey_id: str):
    return kit().catalog.get(survey_id)


@bp.get("/<survey_id>/results")
@login_required("viewer", scope="survey")
def results(survey_id):
    """Answers so far: over time, by group, and question by question, with small numbers hidden."""
    survey = _survey_or_none(survey_id)
    if survey is None:
        return not_found()
    words = _words()
    breakdowns = merge_breakdowns(core_breakdowns(words), response_breakdowns(kit().pm, survey))
    filters, problems = filters_from(request.args, [b.id for b in breakdowns])
    store = kit().store
    if filters.active:  # some days or one group: read the answers
        found = summarise(survey, store.iter_responses(survey.id), breakdowns=breakdowns,
                          filters=filters, min_group=min_group(), words=words)
    else:  # every answer: from the kept tally, without reading them all (issue 22)
        found = results_from_tally(survey, current_tally(store, survey), store.iter_responses(survey.id),
                                   breakdowns=breakdowns, min_group=min_group(), words=words)

    def chart(tally, chart_id, title):
        return Markup(bar_chart(tally, chart_id=chart_id, title=title, words=words))

    return render_template(
        "results/results.html", survey=survey, project=current_project(), results=found,
        breakdowns=breakdowns, errors=_filter_errors(problems), args=request.args, chart=chart,
        words=words, may_export=role_at_least(g.get("studio_role"), "researcher"),
    ), (400 if problems else 200)


def _filter_errors(problems) -> list[tuple[str, str, str]]:
    """``(field, label, message)`` for the error summary, in plain words."""
    labels = {"from": _("From"), "to": _("Up to"), "only": _("Only show answers from")}
    messages = {
        "date": _("Enter a date like 2026-11-26 (year, month, day)."),
        "order": _("The end date must be the same as or after the start date."),
        "group": _("Choose a group from the list."),
    }
    return [(name, labels[name], messages[what]) for name, what in problems]


@bp.get("/<survey_id>/export")
@login_required("researcher", scope="survey")
def export_page(survey_id):
    """Choose a format to take the answers away in."""
    survey = _survey_or_none(survey_id)
    if survey is None:
        return not_found()
    return _export_page(survey)


def _export_page(survey, errors=None, status=200):
    count, samples = answers_apart(kit().store, survey.id)
    return render_template("results/export.html", survey=survey, project=current_project(),
                           exporters=list(kit().exporters.values()), errors=errors or [],
                           count=count, samples=samples), status


@bp.post("/<survey_id>/export")
@login_required("researcher", scope="survey")
def export(survey_id):
    """Send the answers as a file in the chosen format, and put the export on record."""
    survey = _survey_or_none(survey_id)
    if survey is None:
        return not_found()
    fmt = request.form.get("format", "")
    exporter = kit().exporters.get(fmt)
    if exporter is None:
        return _export_page(survey, [("format", _("Format"), _("Choose a format."))], 400)
    include_samples = request.form.get("include_samples") == "yes"
    details = {"format": exporter.name, **({"samples": True} if include_samples else {})}
    filename = f"{survey.id}{exporter.suffix}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    if kit().store.count_responses(survey.id) > STREAM_ROWS:
        body = _streamed(survey, exporter, include_samples, details)
    else:
        body = _spooled(survey, exporter, include_samples, details)
    return Response(body, mimetype=exporter.media_type, headers=headers)


def _spooled(survey, exporter, include_samples: bool, details: dict):
    """Write the whole file before sending it: a failure shows a page, not half a file."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    # The audit log gets the true number of rows.
    try:
        count = export_survey(kit(), survey, exporter, spool, include_samples=include_samples)
    except BaseException:
        spool.close()
        raise
    audit("export", survey.id, {**details, "rows": count})
    spool.seek(0)
    return _chunks(spool)


def _streamed(survey, exporter, include_samples: bool, details: dict):
    """Send the file while it is written, so a big export's bytes start at once.

    The export goes on record when the last row is written, with the true count.
    """
    the_kit, user = kit(), current_user()
    actor = f"user:{user.username}" if user else "anonymous"  # as studio.auth.audit says it

    @copy_current_request_context  # the codes and labels come from the app, in this language
    def run(out) -> int:
        return export_survey(the_kit, survey, exporter, out, include_samples=include_samples)

    def done(count: int) -> None:
        the_kit.store.audit(actor=actor, action="export", subject=survey.id,
                            details={**details, "rows": count})

    return stream(run, done)


def _chunks(spool):
    """Stream a spooled file out and close it (deleting it) when done."""
    try:
        while chunk := spool.read(CHUNK_BYTES):
            yield chunk
    finally:
        spool.close()
