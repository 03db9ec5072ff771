"""Every survey in the participant's own language (built-in plugin ``translation``).

Chooses the language of each page (the link's ``?lang=``, then the
participant's choice, then the browser, then the survey's own), draws a
language switcher at the top of participant pages, and gives researchers a
Translations page and ``consent-kit translations`` commands. The survey words
themselves are swapped in by the core (``consent_kit.i18n.translations.localize``).
"""

from __future__ import annotations

from consent_kit import LazyCommand, StudioTask, hookimpl

# Flask, Babel and the survey words load when a hook first runs, not when the plugin is
# registered: ``consent-kit --help`` registers every plugin (issue 22).


@hookimpl
def locale_from_request(request, survey):
    """The link, then the participant's choice, then the browser; None leaves the survey's own."""
    from flask import session

    from .choose import choose

    return choose(request.args, session, request.accept_languages, survey)


@hookimpl
def page_parts(slot, request, survey):
    """The language switcher, at the top of every participant page."""
    if slot != "header":
        return None
    from flask_babel import get_locale

    from .switcher import switcher

    return switcher(request, survey, str(get_locale() or ""))


@hookimpl
def survey_tasks(survey_id, kit):
    """Languages: the Translations page, on each survey's page in the studio."""
    from flask import url_for
    from flask_babel import gettext as _

    if kit.catalog.get(survey_id) is None:
        return []
    return [StudioTask(_("Translations: what is done, and files for a translator"),
                       url_for("translation.report", survey_id=survey_id), order=50)]


@hookimpl
def register_blueprints(app):
    """The studio's Translations page."""
    from .views import bp

    return [bp]


@hookimpl
def register_commands(cli):
    """``consent-kit translations report|export|import``, loaded when it runs."""
    cli.add_command(LazyCommand("translations", "consent_kit_plugins.translation.commands:group",
                                "Translate a survey: what's missing, and .po files for a translator."))
