"""Checks waiting for someone: versions a project needs a second member to approve.

Shown on each person's home page, so nobody has to remember to look: a
researcher (or admin) of a project that asks for approval sees every survey
whose unpublished changes were made by someone else and aren't approved yet.
"""

from __future__ import annotations

from flask import current_app

from consent_kit.studio.builder.checks import content_version
from consent_kit.studio.builder.ops import normalise
from consent_kit.studio.builder.texts import language_of, text_of
from consent_kit.web.helpers import kit


def waiting_for(username: str, projects) -> list[dict]:
    """(project, survey id, title, changed by) for each check waiting for ``username``.

    ``projects`` are the (project, role) pairs of the person's home page.
    """
    workspace = current_app.extensions.get("consent_kit_builder")
    if workspace is None:
        return []
    found = []
    for item in projects:
        project, role = item["project"], item["role"]
        if role not in ("researcher", "admin") or not workspace.requires_approval(project.id):
            continue
        for row in item["surveys"]:
            survey_id = row["id"]
            draft = workspace.draft(survey_id)
            if draft is None or draft.get("updated_by") in ("", username):
                continue
            definition = normalise(draft["definition"])
            live = kit().catalog.get(survey_id)
            version = content_version(definition)
            if live is not None and content_version(normalise(live.definition)) == version:
                continue  # nothing new to check
            if workspace.approval_for(survey_id, version, not_by=draft["updated_by"]):
                continue
            found.append({"project": project, "survey_id": survey_id,
                          "title": text_of(definition.get("title"), language_of(definition)),
                          "changed_by": draft["updated_by"]})
    return found
