"""The researchers' area: projects, their surveys and people; accounts (admins).

Every view declares who may open it (``login_required``); the check runs in
:func:`consent_kit.studio.auth._guard`. Views take the project from
``current_project()`` (already checked), never from what a form says, and
build every record change field by field from named form fields: nothing is
copied wholesale from a request.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from consent_kit.results.samples import answers_apart
from consent_kit.studio import clock_choice
from consent_kit.studio.accounts import PROJECT_ROLES, ROLE_WORDS, ROLES, AccountError, User
from consent_kit.studio.approvals import waiting_for
from consent_kit.studio.auth import audit, current_project, current_user, not_found, state
from consent_kit.studio.rules import login_required
from consent_kit.web.helpers import kit

bp = Blueprint("studio", __name__, template_folder="templates", url_prefix="/studio")

MEMBER_ROLE_WORDS = {
    "researcher": _l("Researcher: designs and runs the surveys"),
    "viewer": _l("Viewer: sees the results only"),
}


def _a(role: str) -> str:
    """The role with its article: "an admin", "a researcher", "a viewer" (in the page's language)."""
    words = {"admin": _("an admin"), "researcher": _("a researcher"), "viewer": _("a viewer")}
    return words.get(role, role)


def _survey_row(survey_id: str) -> dict:
    """What the lists show about one survey: title, open or not, how many answers."""
    catalog = kit().catalog
    survey = catalog.get(survey_id)
    if survey is not None:
        status = "open" if survey.is_open else "closed"
        title = survey.title
    elif catalog.is_broken(survey_id):
        status, title = "needs fixing", survey_id
    else:
        draft = _builder_draft(survey_id)
        status = "draft" if draft else "file missing"
        title = (draft or {}).get("definition", {}).get("title") or survey_id
    # Made-up sample answers are not answers anyone sent: counted apart (issue 22).
    responses, samples = answers_apart(kit().store, survey_id)
    return {"id": survey_id, "title": title, "status": status, "status_words": _status_words(status),
            "survey": survey, "samples": samples, "responses": responses}


def _status_words(status: str) -> str:
    """A survey's status as the lists say it, in the page's language."""
    words = {"open": _("open"), "closed": _("closed"), "needs fixing": _("needs fixing"),
             "draft": _("draft, not published yet"), "file missing": _("file missing")}
    return words[status]


def _builder_draft(survey_id: str) -> dict | None:
    """The survey builder's draft of a survey that has no file yet, if the builder is there."""
    workspace = current_app.extensions.get("consent_kit_builder")
    return workspace.draft(survey_id) if workspace is not None else None


def _all_survey_ids() -> list[str]:
    catalog = kit().catalog
    catalog.refresh()
    return sorted(set(catalog.surveys) | set(catalog.broken))


@bp.get("/")
@login_required("viewer")
def dashboard():
    """Your projects and their surveys (admins: every project, and surveys in none)."""
    user, accounts = current_user(), state().accounts
    projects = [{"project": project, "role": role,
                 "surveys": [_survey_row(s) for s in accounts.surveys_of(project.id)]}
                for project, role in accounts.projects_for(user)]
    unassigned = []
    if user.role == "admin":
        assigned = accounts.survey_projects()
        unassigned = [_survey_row(s) for s in _all_survey_ids() if s not in assigned]
    return render_template("studio/dashboard.html", projects=projects, unassigned=unassigned,
                           waiting=waiting_for(user.username, projects))


@bp.get("/projects/<project_id>")
@login_required("viewer", scope="project")
def project(project_id):
    """One project: its surveys and the people in it."""
    return _project_page()


def _project_page(errors=None, status=200):
    project, accounts = current_project(), state().accounts
    surveys = [_survey_row(s) for s in accounts.surveys_of(project.id)]
    members = sorted(project.members.items())
    candidates = [u for u in accounts.users() if u.username not in project.members
                  and u.role != "admin"]
    workspace = current_app.extensions.get("consent_kit_builder")
    return render_template("studio/project.html", project=project, surveys=surveys,
                           members=members, candidates=candidates, errors=errors or [],
                           member_roles=MEMBER_ROLE_WORDS,
                           needs_approval=bool(workspace and workspace.requires_approval(
                               project.id))), status


@bp.post("/projects/<project_id>/members")
@login_required("admin", scope="project")
def project_members(project_id):
    """Add someone to the project, change their role in it, or take them out."""
    project, accounts = current_project(), state().accounts
    username = request.form.get("username", "")
    action = request.form.get("action", "")
    try:
        if action == "remove":
            if username not in project.members:
                raise AccountError(_("That person is not in this project."), "member")
            accounts.remove_member(project.id, username)
            audit("member_removed", project.id, {"username": username})
            flash(_("%(name)s is no longer in %(project)s.", name=username, project=project.name), "success")
        else:
            role = request.form.get("member_role", "")
            if not username:
                raise AccountError(_("Choose who to add."), "member")
            before = project.role_of(username)
            accounts.set_member(project.id, username, role)
            audit("member_added" if before is None else "member_role_changed", project.id,
                  {"username": username, "role": role})
            flash(_("%(name)s is now %(role)s in %(project)s.", name=username, role=_a(role),
                    project=project.name), "success")
    except AccountError as error:
        return _project_page([(error.field or "member", _("Person"), str(error))], 400)
    return redirect(url_for(".project", project_id=project.id))


@bp.route("/projects/new", methods=["GET", "POST"])
@login_required("admin")
def project_new():
    """Make a project."""
    labels = {"name": _("Project name"), "project_id": _("Short name for web addresses")}
    form = {"name": request.form.get("name", ""), "project_id": request.form.get("project_id", "")}
    errors: list = []
    if request.method == "POST":
        try:
            made = state().accounts.create_project(form["name"], form["project_id"])
        except AccountError as error:
            errors = [(error.field, labels.get(error.field, _("Project")), str(error))]
        else:
            audit("project_created", made.id, {"name": made.name})
            flash(_("The project %(name)s is ready. Add people and surveys to it.", name=made.name),
                  "success")
            return redirect(url_for(".project", project_id=made.id))
    return render_template("studio/project_new.html", form=form, errors=errors,
                           labels=labels), (400 if errors else 200)


@bp.get("/surveys/<survey_id>")
@login_required("viewer", scope="survey")
def survey(survey_id):
    """One survey: is it open, how many answers and consents."""
    row = _survey_row(survey_id)
    counts = kit().store.consent_counts(survey_id) if row["survey"] is not None else None
    return render_template("studio/survey.html", row=row, project=current_project(),
                           counts=counts)


@bp.route("/surveys", methods=["GET", "POST"])
@login_required("admin")
def surveys():
    """Which project each survey belongs to (survey files don't say)."""
    accounts = state().accounts
    projects = {p.id: p for p in accounts.projects()}
    survey_ids = _all_survey_ids()
    assigned = accounts.survey_projects()
    errors: list = []
    if request.method == "POST":
        changed = 0
        for survey_id in survey_ids:
            field = f"project-{survey_id}"
            if field not in request.form:
                continue
            chosen = request.form[field]
            if chosen and chosen not in projects:
                errors.append((field, survey_id, _("Choose one of the projects in the list.")))
                continue
            if chosen != assigned.get(survey_id, ""):
                accounts.assign_survey(survey_id, chosen or None)
                audit("survey_assigned", survey_id, {"project": chosen})
                changed += 1
        if not errors:
            flash(ngettext("Saved. %(num)s survey moved.", "Saved. %(num)s surveys moved.", changed)
                  if changed else _("Nothing was changed."), "success")
            return redirect(url_for(".surveys"))
        assigned = accounts.survey_projects()
    rows = [{**_survey_row(s), "project": assigned.get(s, "")} for s in survey_ids]
    return render_template("studio/surveys.html", rows=rows, projects=list(projects.values()),
                           errors=errors), (400 if errors else 200)


# -- accounts (admins) -------------------------------------------------------------------


@bp.route("/users", methods=["GET", "POST"])
@login_required("admin")
def users():
    """Everyone with an account, and a form to make one."""
    accounts = state().accounts
    labels = {"username": _("Username"), "role": _("What they can do"),
              "password": _("First password"), "project": _("Add them to a project")}
    form = {"username": request.form.get("username", ""), "role": request.form.get("role", ""),
            "project": request.form.get("project", "")}
    projects = accounts.projects()
    errors: list = []
    if request.method == "POST":
        project_ids = {p.id for p in projects}
        if form["project"] and form["project"] not in project_ids:
            errors = [("project", labels["project"], _("Choose one of the projects in the list."))]
        else:
            try:
                made = accounts.create_user(form["username"], form["role"],
                                            request.form.get("password", ""))
            except AccountError as error:
                field = error.field if error.field in labels else "username"
                errors = [(field, labels[field], str(error))]
            else:
                audit("user_created", made.username, {"role": made.role})
                if form["project"] and made.role != "admin":
                    member_role = "viewer" if made.role == "viewer" else "researcher"
                    accounts.set_member(form["project"], made.username, member_role)
                    audit("member_added", form["project"],
                          {"username": made.username, "role": member_role})
                flash(_("The account %(name)s is ready. Tell them their username and first "
                        "password in person or by phone.", name=made.username), "success")
                return redirect(url_for(".user", username=made.username))
    memberships = _memberships(projects)
    return render_template("studio/users.html", users=accounts.users(), form=form, errors=errors,
                           labels=labels, roles=ROLE_WORDS, projects=projects,
                           project_options=[(p.id, p.name) for p in projects],
                           memberships=memberships), (400 if errors else 200)


def _memberships(projects) -> dict[str, list]:
    found: dict[str, list] = {}
    for project in projects:
        for username, role in project.members.items():
            found.setdefault(username, []).append((project, role))
    return found


@bp.route("/users/<username>", methods=["GET", "POST"])
@login_required("admin")
def user(username):
    """One account: role, on or off, a new password, projects."""
    accounts = state().accounts
    person = accounts.get_user(username)
    if person is None or person.username != username:
        return not_found()
    errors: list = []
    if request.method == "POST":
        try:
            message = _change_user(person, request.form.get("action", ""))
        except AccountError as error:
            errors = [(error.field or "role", _("Account"), str(error))]
        else:
            flash(message, "success")
            return redirect(url_for(".user", username=person.username))
        person = accounts.get_user(username)
    projects = accounts.projects()
    return render_template("studio/user.html", person=person, errors=errors, roles=ROLE_WORDS,
                           member_roles=MEMBER_ROLE_WORDS, projects=projects,
                           project_options=[(p.id, p.name) for p in projects
                                            if person.username not in p.members],
                           memberships=_memberships(projects).get(person.username, []),
                           is_me=person.username == current_user().username,
                           ), (400 if errors else 200)


def _change_user(person: User, action: str) -> str:
    """Make one change to an account from the form; return what to tell the admin."""
    accounts, form = state().accounts, request.form
    if action == "role":
        role = form.get("role", "")
        if role not in ROLES:
            raise AccountError(_("Choose what they can do."), "role")
        accounts.set_role(person.username, role)
        audit("role_changed", person.username, {"from": person.role, "to": role})
        return _("%(name)s is now %(role)s.", name=person.username, role=_a(role))
    if action in ("turn_off", "turn_on"):
        off = action == "turn_off"
        if off and person.username == current_user().username:
            raise AccountError(_("You can't turn off your own account."), "disabled")
        accounts.set_disabled(person.username, off)
        audit("user_turned_off" if off else "user_turned_on", person.username)
        return (_("%(name)s's account is turned off.", name=person.username) if off else
                _("%(name)s's account is turned on again.", name=person.username))
    if action == "password":
        accounts.set_password(person.username, form.get("password", ""))
        audit("password_reset", person.username)
        return _("%(name)s has a new password and is signed out everywhere. Tell them the new "
                 "password in person or by phone.", name=person.username)
    if action == "add_to_project":
        role = form.get("member_role", "")
        if role not in PROJECT_ROLES:
            raise AccountError(_("Choose what they can do in the project."), "member_role")
        project = accounts.get_project(form.get("project", ""))
        if project is None:
            raise AccountError(_("Choose a project."), "project")
        before = project.role_of(person.username)
        accounts.set_member(project.id, person.username, role)
        audit("member_added" if before is None else "member_role_changed", project.id,
              {"username": person.username, "role": role})
        return _("%(name)s is now %(role)s in %(project)s.", name=person.username, role=_a(role),
                 project=project.name)
    if action == "remove_from_project":
        project = accounts.get_project(form.get("project", ""))
        if project is None or person.username not in project.members:
            raise AccountError(_("They are not in that project."), "project")
        accounts.remove_member(project.id, person.username)
        audit("member_removed", project.id, {"username": person.username})
        return _("%(name)s is no longer in %(project)s.", name=person.username, project=project.name)
    raise AccountError(_("Choose what to change."), "role")


@bp.get("/plugins")
@login_required("admin")
def plugins():
    """The loaded plugins and their hooks, what failed in them, and survey files that need fixing."""
    from consent_kit.plugins import plugin_info

    return render_template(
        "studio/plugins.html",
        plugins=plugin_info(kit().pm),
        failures=[(name, str(error)) for name, error in kit().plugin_failures[-50:]],
        broken=sorted(kit().catalog.broken.items()),
    )



# "Your clock" is on this blueprint too.
clock_choice.register(bp)
