"""The ``kit``: what a plugin may use of one consent-kit app.

Every hook that runs inside an app can take a ``kit`` argument (as Datasette's
hooks take ``datasette``); views get the same object from
:func:`consent_kit.current_kit`. Plugins use it instead of reaching into
``app.extensions``, ``g`` or the core's files, so the core can change inside
without breaking them. What is public is listed in :class:`Kit`'s docstring;
attributes that start with ``_`` are the core's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy
from flask import current_app, g, has_app_context

from consent_kit.participation.flow import condition_met
from consent_kit.paths import PACKAGE
from consent_kit.plugins import PluginFailure, call_each
from consent_kit.store import Store
from consent_kit.studio import auth as studio
from consent_kit.survey.catalog import Catalog
from consent_kit.survey.question_types import QuestionTypeRegistry

#: The fonts shipped with consent-kit (DejaVu Sans, regular and bold, with its licence).
FONTS = PACKAGE / "fonts"
#: The participant pages' one stylesheet.
CORE_CSS = PACKAGE / "web" / "static" / "ck.css"


@dataclass
class Kit:
    """One app's consent-kit: passed to hooks as ``kit``.

    Public (plugins may rely on these):

    * ``store`` — the :class:`consent_kit.Store` (answers, consent, keyed tables);
    * ``catalog`` — the surveys: ``catalog.get(survey_id)``, ``catalog.surveys``;
    * ``question_types`` — the registry: ``question_types.get(name)``;
    * ``exporters`` — ``{name: exporter}``; ``config`` — the app's settings;
    * :meth:`fire`, :meth:`record_response`, :meth:`condition_met`, :meth:`current_user`,
      :meth:`current_project`, :meth:`current_role`, :meth:`project_of`,
      :meth:`use_survey`, :meth:`request_state`, :attr:`fonts`, :meth:`core_stylesheet`,
      :attr:`plugin_failures`, ``plugin_state`` (a dict for each plugin's own
      per-app things, under the plugin's name).
    """

    pm: pluggy.PluginManager
    question_types: QuestionTypeRegistry
    loaders: dict
    exporters: dict
    store: Store
    catalog: Catalog
    config: Any = None
    consent_steps: list = field(default_factory=list)
    saved_consent_versions: set = field(default_factory=set)
    #: Rendered consent texts by (survey version, variant, language); see consent.views.text_for.
    consent_texts: dict = field(default_factory=dict)
    #: WTForms classes by the tuple of questions on a page; see participation.forms.
    form_classes: dict = field(default_factory=dict)
    #: HTML of unanswered questions by (question, template, locale); see participation.questions.
    question_html: dict = field(default_factory=dict)
    #: Public: what each plugin made for this app, under the plugin's own name.
    plugin_state: dict = field(default_factory=dict)

    # -- for plugins --------------------------------------------------------------------

    @property
    def fonts(self) -> Path:
        """The folder of fonts shipped with consent-kit (DejaVu Sans and its licence)."""
        return FONTS

    @property
    def plugin_failures(self) -> list[PluginFailure]:
        """Failures of plugins' hooks since start-up (the admins' plugins page lists them)."""
        return self.pm.consent_kit_failures

    def fire(self, event: str, **arguments) -> list[PluginFailure]:
        """Tell every plugin that ``event`` happened, with the core's error isolation.

        One plugin raising never stops the others and never undoes what
        happened; each failure is logged and kept for the admins' plugins page.
        """
        failures: list[PluginFailure] = []
        call_each(self.pm, event, failures=failures, **arguments)
        self.plugin_failures.extend(failures)
        del self.plugin_failures[:-200]  # the newest are enough to see what is wrong
        return failures

    def record_response(self, response, survey):
        """Keep answers taken another way (paper, an import) as the core keeps online ones.

        Stores ``response`` (a :class:`consent_kit.Response`; the same id twice
        stores it once) and tells plugins ``response_submitted`` with the core's
        error isolation. Returns ``(stored response, True if it is new)``.
        """
        stored, created = self.store.add_response(response)
        if created:
            self.fire("response_submitted", response=stored, survey=survey)
        return stored, created

    @staticmethod
    def condition_met(condition, answers: dict) -> bool:
        """True when a ``show_if`` condition (or None) holds for these answers."""
        return condition_met(condition, answers)

    def core_stylesheet(self) -> str:
        """The text of the participant pages' stylesheet (to build a variant of it)."""
        return CORE_CSS.read_text(encoding="utf-8")

    @staticmethod
    def current_user():
        """The researcher signed in to the studio in this request, or None."""
        return studio.current_user()

    @staticmethod
    def current_project():
        """The studio project this request is about (once its access rule let it in), or None."""
        return studio.current_project()

    @staticmethod
    def current_role() -> str | None:
        """The signed-in researcher's role in the current project: viewer, researcher or admin."""
        return g.get("studio_role")

    def project_of(self, survey_id: str) -> str:
        """The id of the project a survey belongs to ("" when it belongs to none)."""
        return studio.state().accounts.survey_project(survey_id) or ""

    def get_project(self, project_id: str):
        """A studio project by id (with ``id``, ``name`` and ``members``), or None."""
        return studio.state().accounts.get_project(project_id)

    @staticmethod
    def request_state(name: str) -> dict:
        """A dict kept for this request only, under ``name`` (empty and fresh outside a request)."""
        return g.setdefault(f"plugin_state_{name}", {}) if has_app_context() else {}

    @staticmethod
    def use_survey(survey) -> None:
        """Make ``survey`` the page's survey (its exit button, support link and language)."""
        g.survey = survey

    # -- for the core -------------------------------------------------------------------

    def remember_consent_text(self, text) -> None:
        """Keep a copy of consent text as shown, once per version (to show it later as it was)."""
        if text.version not in self.saved_consent_versions:
            self.store.save_consent_text(text)
            self.saved_consent_versions.add(text.version)

    def consent_steps_for(self, survey) -> list:
        """The plugin steps shown in this survey's consent flow."""
        return [step for step in self.consent_steps if step.applies_to(survey)]


def current_kit() -> Kit:
    """The kit of the app handling this request (for plugins' views and commands)."""
    return current_app.extensions["consent_kit"]
