"""Sample answers from the studio: add some, or take them all away, without the command line.

Peer researchers try the results page and the downloads before a survey opens
(issue 22 §1). The work is in :mod:`consent_kit.results.sample_tally`, as for
``consent-kit sample-answers``; this page offers the sizes a browser request
makes in a few seconds, and says the command for more. Researchers and admins
of the survey's project may use it; each change goes on the project's record.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from consent_kit.results.sample_tally import add_samples, remove_samples
from consent_kit.results.samples import answers_apart, make_samples
from consent_kit.studio.auth import audit, current_project, not_found
from consent_kit.studio.rules import login_required
from consent_kit.web.helpers import kit

bp = Blueprint("samples", __name__, template_folder="templates", url_prefix="/studio/surveys")

#: How many sample answers the page offers to add at once (about 0.6 s for 10,000 here;
#: a million takes about a minute, so that is for the command line).
SIZES = (100, 1_000, 10_000)
DEFAULT_SIZE = 1_000


@bp.get("/<survey_id>/sample-answers")
@login_required("researcher", scope="survey")
def samples_page(survey_id):
    """What sample answers are, how many this survey has, and the buttons to add or take away."""
    survey = kit().catalog.get(survey_id)
    return _page(survey) if survey is not None else not_found()


@bp.post("/<survey_id>/sample-answers")
@login_required("researcher", scope="survey")
def change_samples(survey_id):
    """Add the chosen number of sample answers, or take every one away; then show the results."""
    survey = kit().catalog.get(survey_id)
    if survey is None:
        return not_found()
    if request.form.get("action") == "remove":
        removed = remove_samples(kit().store, survey)
        audit("samples_removed", survey.id, {"count": removed})
        flash(_("The sample answers are taken away. Real answers were not touched."), "success")
        return redirect(url_for("samples.samples_page", survey_id=survey.id))
    count = _chosen_size(request.form.get("count", ""))
    if count is None:  # only a changed form sends another size
        return _page(survey, [("count", _("How many?"), _("Choose how many sample answers to add."))],
                     400)
    samples = make_samples(survey, count, question_types=kit().question_types)
    added = add_samples(kit().store, survey, samples)
    audit("samples_added", survey.id, {"count": added})
    flash(_("%(num)s sample answers added. They are marked as samples everywhere.",
            num=f"{added:,}"), "success")
    return redirect(url_for("results.results", survey_id=survey.id))


def _chosen_size(value: str) -> int | None:
    """The size the form sent, if it is one the page offers."""
    return next((size for size in SIZES if str(size) == value), None)


def _page(survey, errors=None, status=200):
    real, samples = answers_apart(kit().store, survey.id)
    return render_template("results/samples.html", survey=survey, project=current_project(),
                           samples=samples, real=real, sizes=SIZES, default_size=DEFAULT_SIZE,
                           errors=errors or []), status
