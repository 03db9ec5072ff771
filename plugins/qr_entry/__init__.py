"""qr_entry: join a survey by scanning a QR code on a poster or flyer.

Each survey has places (sources) with short links, /j/<code>, that lead to
the survey and record the place with each response. Researchers print
posters and flyers from the studio or with ``consent-kit qr``; results can be
split by place. The "saved" page and the consent copy show their link as a
QR code too. Only hook implementations live here; each hands over to a module.
"""

from __future__ import annotations

from flask import has_app_context

from consent_kit import Breakdown, LazyCommand, hookimpl

from . import parts
from .links import init_state, state
from .views import bp


@hookimpl
def startup(kit):
    init_state(kit)


@hookimpl
def register_blueprints(app):
    return [bp]


@hookimpl
def register_commands(cli):
    # The command's module loads the app and the poster maker: it is imported when
    # ``consent-kit qr`` runs, so ``consent-kit --help`` stays quick (issue 22).
    cli.add_command(LazyCommand(
        "qr", "consent_kit_plugins.qr_entry.command:qr_command",
        "Make QR codes or printable posters for the places a survey's posters go up."))


@hookimpl
def survey_tasks(survey_id):
    """Where people find it: places, QR codes and posters."""
    return parts.studio_tasks(survey_id)


@hookimpl
def page_parts(slot, survey, link):
    return parts.qr_part(slot, survey, link)


@hookimpl
def response_breakdowns(survey):
    if not has_app_context():
        return []  # no app, no places to name: the core's own split by source stands
    return [Breakdown("source", parts.breakdown_label(), parts.place_namer(state().sources.names(survey.id)))]
