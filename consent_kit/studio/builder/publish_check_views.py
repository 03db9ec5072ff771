"""Publishing, one safe step at a time: "Check before you publish", then confirm.

``GET /build/publish`` is the check page: what blocks publishing (with a
link to where to fix each), what is only advice, whether the project's
approval rule is met, and what changes since the live version, in words.
Its button sends ``confirm=yes``; the same checks run again then, so a
survey with a block never goes live, and a refused publish is shown on a
page that can be reloaded (this address answers GET too).
"""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consent_kit.plugin_calls import StudioTask, survey_advice, survey_tasks
from consent_kit.studio import versions
from consent_kit.studio.auth import audit, current_project, current_user
from consent_kit.studio.builder import content_version, normalise
from consent_kit.studio.builder import forms as form_read
from consent_kit.studio.builder.changes import changes
from consent_kit.studio.builder.publish_checks import advice, blocking
from consent_kit.studio.builder.tasks import SurveyState, core_tasks
from consent_kit.studio.builder.view_support import (
    Editing,
    Stale,
    bp,
    change_errors,
    done,
    editing_or_404,
    me,
    named,
    problem_words,
    render,
    workspace,
)
from consent_kit.studio.rules import login_required
from consent_kit.web.helpers import kit

#: Where each part of a finding is fixed: (endpoint, anchor on the outline).
FIX_AT = {"details": ("builder.details", ""), "support": ("builder.support", ""),
          "incentive": ("builder.thank_you", ""), "consent": ("builder.consent_item", ""),
          "consent_needed": ("builder.publish", "#consent-needed"),
          "question": ("builder.overview", "#pages")}


def fix_link(survey_id: str, part: str, item: str = "") -> str:
    """Where to go to fix a finding about ``part`` (and ``item`` in it)."""
    if part == "consent" and item:
        # Every section on one page, and back here after saving: one step fixes them all.
        return url_for("builder.consent_all", survey_id=survey_id, next="check") + (
            f"#section-{item}")
    if part == "question" and item:
        return url_for("builder.question", survey_id=survey_id, question_id=item)
    endpoint, anchor = FIX_AT.get(part, ("builder.overview", ""))
    if endpoint == "builder.consent_item":
        endpoint, anchor = "builder.overview", "#consent"
    return url_for(endpoint, survey_id=survey_id) + anchor


def approval_state(ed: Editing) -> dict:
    """The project's approval rule for this draft: needed, given (the record), who may give it."""
    project = current_project()
    draft_by = (ed.draft or {}).get("updated_by", "")
    version = content_version(ed.definition)
    return {"needs_approval": workspace().requires_approval(project.id if project else ""),
            "approved": workspace().approval_for(ed.survey_id, version, not_by=draft_by),
            "can_approve": bool(ed.draft) and draft_by != me()}


def findings(ed: Editing) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(blocks, advice) as (sentence, link) pairs, the loader's problems first."""
    blocks = [(words, url_for("builder.overview", survey_id=ed.survey_id) + "#problems")
              for words in problem_words(ed.problems)]
    advised: list[tuple[str, str]] = []
    if ed.survey is not None:
        reason = (workspace().no_consent(ed.survey_id) or {}).get("reason", "")
        for found in blocking(ed.definition, ed.survey, kit().question_types,
                              no_consent_reason=reason):
            blocks.append((_(found.message, **found.params),
                           fix_link(ed.survey_id, found.part, found.item)))
        for found in advice(ed.definition, ed.survey):
            advised.append((_(found.message, **found.params),
                            fix_link(ed.survey_id, found.part, found.item)))
        outline = url_for("builder.overview", survey_id=ed.survey_id)
        advised += [(words, outline) for words in problem_words(
            named(ed, survey_advice(kit().pm, ed.survey)))]
    return blocks, advised


def check_page(ed: Editing, errors=(), status: int = 200):
    """The "Check before you publish" page."""
    blocks, advised = findings(ed)
    approval = approval_state(ed)
    old = normalise(ed.published.definition) if ed.published is not None else None
    changed = [_(sentence, **params) for sentence, params in changes(old, ed.definition)]
    blocked_by_approval = approval["needs_approval"] and approval["approved"] is None
    return render("builder/publish.html", ed, errors=errors, status=status, blocks=blocks,
                  next_number=versions.next_number(ed.survey_id),
                  advised=advised, changed=changed, version=content_version(ed.definition),
                  no_consent=workspace().no_consent(ed.survey_id),
                  can_publish=bool(ed.draft) and not blocks and not blocked_by_approval,
                  blocked_by_approval=blocked_by_approval, **approval)


@bp.route("/surveys/<survey_id>/build/publish", methods=["GET", "POST"])
@login_required("researcher", scope="survey")
def publish(survey_id):
    """Check the draft, show what changes, and make it the live survey once confirmed."""
    ed = editing_or_404(survey_id)
    if request.method == "GET":
        return check_page(ed)
    if ed.draft is None:
        return done(_("There are no changes to publish."), survey_id)
    if request.form.get("revision") != ed.revision:
        return check_page(ed, change_errors(Stale()), 400)
    refused = _why_not(ed)
    if refused:
        return check_page(ed, [("publish", _("Publish"), refused)], 400)
    if request.form.get("confirm") != "yes":
        return check_page(ed)
    version = content_version(ed.definition)
    path = workspace().file_for(survey_id, ed.published.source if ed.published else "")
    workspace().publish(survey_id, ed.definition, me(), path)
    kit().catalog.refresh(force=True)
    number = versions.number_of_words(survey_id, version)
    audit("survey_published", survey_id, {"version": version, "number": number})
    return done(_("Published version %(number)s. People now see it.", number=number),
                survey_id)


def _why_not(ed: Editing) -> str:
    """Why the draft can't be published now, in words ("" when it can)."""
    if findings(ed)[0]:
        return _("This version can't be published yet. Fix what is listed under ‘Fix these "
                 "first’.")
    approval = approval_state(ed)
    if approval["needs_approval"] and approval["approved"] is None:
        return _("This project needs another member to approve this version before it goes "
                 "live. Ask someone else in the project to open this survey and approve it.")
    return ""


@bp.route("/surveys/<survey_id>/build/consent-needed", methods=["GET", "POST"])
@login_required("researcher", scope="survey")
def consent_needed(survey_id):
    """Record that this survey doesn't need people's consent, and why (kept in the audit log)."""
    editing_or_404(survey_id)
    if request.method == "GET":
        return redirect(url_for(".publish", survey_id=survey_id) + "#consent-needed")
    not_needed = form_read.ticked(request.form, "not_needed")
    reason = form_read.words(request.form, "reason") if not_needed else ""
    if not_needed and not reason:
        return check_page(editing_or_404(survey_id), [("reason", _("Why"), _(
            "Say why this survey doesn't need people to agree first."))], 400)
    workspace().set_no_consent(survey_id, reason, me())
    audit("consent_not_needed" if reason else "consent_needed_again", survey_id,
          {"reason": reason} if reason else {})
    flash(_("Saved."), "success")
    return redirect(url_for(".publish", survey_id=survey_id))


#: A task's status in words, and the look of its tag.
STATUS_WORDS = {StudioTask.NOT_STARTED: (_l("Not started"), "tag-grey"),
                StudioTask.IN_PROGRESS: (_l("In progress"), "tag-blue"),
                StudioTask.DONE: (_l("Done"), "tag-green"),
                StudioTask.NEEDS_ATTENTION: (_l("Needs attention"), "tag-red")}


def task_list(ed: Editing, *, changed: bool) -> list[dict]:
    """The survey's tasks, the core's then the plugins': title, url, status words, tag class."""
    approval = approval_state(ed)
    reason = (workspace().no_consent(ed.survey_id) or {}).get("reason", "")
    blocks = () if ed.survey is None else tuple(blocking(
        ed.definition, ed.survey, kit().question_types, no_consent_reason=reason))
    types = kit().question_types
    state = SurveyState(
        ed.definition, asks_questions=any(
            getattr(types.get(q.type), "takes_answer", True) for q in ed.survey.questions)
        if ed.survey else False, loader_problems=bool(ed.problems), blocks=blocks,
        consent_reason=reason, published=ed.published is not None,
        unpublished_changes=bool(ed.draft) and changed,
        needs_approval=approval["needs_approval"], approved=approval["approved"] is not None,
        offers_payments="consent_kit_incentives" in current_app.extensions)
    found = [(_(t.title), url_for(t.endpoint, survey_id=ed.survey_id) + t.anchor, t.status, "")
             for t in core_tasks(state)]
    if ed.published is not None:  # plugins' pages work on the live survey
        found += [(str(t.title), t.url, t.status, str(t.hint))
                  for t in survey_tasks(kit().pm, ed.survey_id, current_user())]
    return [{"title": title, "url": url, "hint": hint,
             "status": str(STATUS_WORDS[status][0]) if status in STATUS_WORDS else "",
             "tag": STATUS_WORDS.get(status, ("", ""))[1]}
            for title, url, status, hint in found]
