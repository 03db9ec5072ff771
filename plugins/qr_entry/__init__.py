"""qr_entry: join a survey by scanning a QR code on a poster or flyer.

Each survey has places (sources) with short links, /j/<code>, that lead to
the survey and record the place with each response. Researchers print
posters and flyers from the studio or with ``consent-kit qr``; results can be
split by place. The "saved" page and the consent copy show their link as a
QR code too. Only hook implementations live here; each hands over to a module.
"""

from __future__ import annotations

from consent_kit import Breakdown, LazyCommand, hookimpl

# The pages, links and store load when a hook first runs, not when the plugin is registered:
# ``consent-kit --help`` registers every plugin (issue 22).


@hookimpl
def startup(kit):
    from .links import init_state

    init_state(kit)


@hookimpl
def register_blueprints(app):
    from .views import bp

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
    from . import parts

    return parts.studio_tasks(survey_id)


@hookimpl
def page_parts(slot, survey, link):
    from . import parts

    return parts.qr_part(slot, survey, link)


@hookimpl
def response_breakdowns(survey):
    from flask import has_app_context

    from . import parts
    from .links import state

    if not has_app_context():
        return []  # no app, no places to name: the core's own split by source stands
    return [Breakdown("source", parts.breakdown_label(), parts.place_namer(state().sources.names(survey.id)))]
