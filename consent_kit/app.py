"""The app factory: config → plugins → i18n → store → surveys → blueprints → startup."""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import pluggy
from flask import Flask
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from consent_kit.kit import Kit
from consent_kit.plugins import STOP, call_each, make_plugin_manager
from consent_kit.registry import (
    collect_consent_steps,
    collect_exporters,
    collect_loaders,
    collect_question_types,
)
from consent_kit.store import EmbeddedStore, Store
from consent_kit.survey.catalog import Catalog, instance_forms_folder

log = logging.getLogger(__name__)

INSTANCE_ENV = "CONSENT_KIT_INSTANCE"
CONFIG_FILE = "config.toml"

DEFAULTS: dict[str, Any] = {
    "SITE_NAME": "consent-kit",
    "BLOCKED_PLUGINS": [],
    "DRAFT_HOURS": 24,
    "SAVED_DAYS": 30,
    "BASE_URL": "",
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": "auto",  # Secure when https: see consent_kit/web/transport.py
    "TRUSTED_PROXIES": 0,
    "SESSION_COOKIE_NAME": "ck_session",
    # Send the cookie only when it changes: re-signing it on every page costs time and bytes.
    "SESSION_REFRESH_EACH_REQUEST": False,
    "WTF_CSRF_TIME_LIMIT": 24 * 3600,
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "BABEL_DEFAULT_LOCALE": "en",
    "CATALOG_CHECK_SECONDS": 1.0,
    # How often unsent answers past their time are deleted (checked on requests).
    "DRAFT_PURGE_SECONDS": 600,
    # Codes are short enough to type; a limit on tries keeps guessing hopeless
    # (~49.5 bits per code). Generous, because a whole venue may share one address.
    "CODE_ATTEMPTS_PER_MINUTE": 30,
    # Pressing Start, and writing a participant's first draft, per address per minute (per
    # process): enough for a room sharing one Wi-Fi, not for a script filling the disk.
    "STARTS_PER_MINUTE": 30,
    # After Thank you, the copy, its PDF and the payment claim stay open on that phone for
    # this long; then the session forgets the reference (phones are shared).
    "DONE_MINUTES": 30,
    # Where "Leave this page" goes on pages that know no survey ("" = the built-in default).
    "EXIT_URL": "",
    # The clock times are shown on, for surveys that don't set 'time_zone:' and studio pages.
    "TIME_ZONE": "Europe/London",
    "NEW_DRAFTS_PER_MINUTE": 30,
    # True: create_app logs no start-up advice (the cookie and address warning, the first-admin
    # hint). The commands set it: a command that only reads or writes the folder has no use for
    # it, and `serve` and `demo` print what matters in their own words.
    "QUIET_START_UP": False,
}


class ConfigError(Exception):
    """The instance folder or its settings are not usable; the message says how to fix it."""


def create_app(
    config: dict | None = None,
    *,
    instance: str | os.PathLike | None = None,
    load_entrypoints: bool = True,
    plugins: tuple = (),
) -> Flask:
    """Build the consent-kit app for an instance folder.

    ``instance`` defaults to ``$CONSENT_KIT_INSTANCE``, then ``./instance``.
    ``config`` overrides the instance's ``config.toml`` (tests use it);
    ``plugins`` are extra plugin objects registered on this app only.
    Works with no arguments as a WSGI factory: ``gunicorn 'consent_kit:create_app()'``.
    """
    instance_path = _instance_path(instance, config)
    # Each feature package brings its own templates through its blueprint; the shell keeps the
    # base page, the shared macros and the stylesheet.
    app = Flask("consent_kit", instance_path=str(instance_path), instance_relative_config=True,
                template_folder="web/templates", static_folder="web/static")
    _configure(app, instance_path, config or {})
    pm = make_plugin_manager(
        blocked=app.config["BLOCKED_PLUGINS"], load_entrypoints=load_entrypoints, extra=plugins
    )
    question_types = collect_question_types(pm)
    loaders = collect_loaders(pm, question_types)
    chosen = call_each(pm, "storage_backend", policy=STOP, first=True, config=app.config)
    store = chosen[0][1] if chosen else EmbeddedStore(
        app.config["DATA_DIR"], key=app.config.get("STORE_KEY"), key_file=app.config.get("STORE_KEY_FILE"))
    catalog = Catalog(
        folder=Path(app.config["FORMS_DIR"]),
        loaders=loaders,
        on_load=lambda survey: _remember_version(store, survey),
        min_interval=app.config["CATALOG_CHECK_SECONDS"],
    )
    if not app.config.get("SECRET_KEY"):  # an explicit secret_key always wins
        app.config["SECRET_KEY"] = _secret_key(instance_path, store)
    kit = Kit(pm, question_types, loaders, collect_exporters(pm), store, catalog,
              config=app.config, consent_steps=collect_consent_steps(pm))
    app.extensions["consent_kit"] = kit
    pm.consent_kit = kit  # every hook that asks for ``kit`` gets it
    _init_web(app, pm)
    catalog.refresh(force=True)
    _call_startup(app, pm)
    return app


def _instance_path(instance, config) -> Path:
    chosen = instance or (config or {}).get("INSTANCE") or os.environ.get(INSTANCE_ENV)
    return Path(chosen or "instance").resolve()


def _configure(app: Flask, instance_path: Path, overrides: dict) -> None:
    """Defaults, then the instance's config.toml, then CONSENT_KIT_* variables, then overrides."""
    app.config.update(DEFAULTS)
    app.config["DATA_DIR"] = str(instance_path / "data")
    app.config["FORMS_DIR"] = str(instance_forms_folder(instance_path))
    config_file = instance_path / CONFIG_FILE
    if config_file.exists():
        try:
            app.config.from_file(str(config_file), load=_load_toml, text=False)
        except ValueError as error:
            raise ConfigError(f"{config_file}: this settings file has a mistake: {error}") from None
    app.config.from_prefixed_env("CONSENT_KIT")
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY") and not instance_path.is_dir():
        raise ConfigError(_NO_INSTANCE.format(path=instance_path))  # before a store makes folders
    app.permanent_session_lifetime = timedelta(hours=app.config["DRAFT_HOURS"])


def _load_toml(handle) -> dict:
    import tomllib

    try:
        data = tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(str(error)) from None
    return {key.upper(): value for key, value in data.items()}


_NO_INSTANCE = "There is no consent-kit folder at {path}. Make one with: consent-kit init {path}"


def _secret_key(instance_path: Path, store: Store | None = None) -> str:
    """The key that signs sessions, made once: in a shared store, else in the instance folder.

    With several servers on one database (``store.shared``), every server must sign with
    the same key, or a participant whose next page is served by the other server loses
    their place: each derives it from the instance key they share (never stored, so a
    database backup can't be used to forge sessions). Otherwise it is a file only the
    folder's owner can read.
    """
    if store is not None and store.shared:
        return store.derived_secret("session signing")
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    if not instance_path.is_dir():
        raise ConfigError(_NO_INSTANCE.format(path=instance_path))
    # Several workers may start at once on a new folder: the key is written whole to a
    # file of this process's own, then linked into place. Linking fails if another worker
    # got there first; that worker's key (already complete) is the one everyone uses.
    key = secrets.token_hex(32)
    draft = instance_path / f".secret_key.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(draft, key_file)
    except FileExistsError:
        return key_file.read_text().strip()
    finally:
        draft.unlink(missing_ok=True)
    return key


def _remember_version(store: Store, survey) -> None:
    """Keep a copy of each survey version, so every response can be read against its wording."""
    versions = store.documents("survey_versions")
    if versions.get(version=survey.version) is None:
        versions.put({"version": survey.version, "survey_id": survey.id,
                      "definition": survey.definition}, version=survey.version)


def _init_web(app: Flask, pm: pluggy.PluginManager) -> None:
    from consent_kit.i18n.gettext import install_fast_gettext
    from consent_kit.i18n.languages import translation_directory
    from consent_kit.web.shell import init_web

    # The .mo files are built from the committed .po files on first use if the install didn't.
    Babel(app, locale_selector=_select_locale, default_translation_directories=translation_directory())
    install_fast_gettext(app)
    CSRFProtect(app)
    init_web(app, pm)


def _select_locale():
    from flask import g, request

    from consent_kit.web.helpers import kit

    survey = g.get("survey")
    chosen = call_each(kit().pm, "locale_from_request", first=True, request=request, survey=survey)
    return (chosen[0][1] if chosen else None) or (survey.language if survey else None) or "en"


def _call_startup(app: Flask, pm: pluggy.PluginManager) -> None:
    # Core first, so a plugin can rely on what the core set up; a failure stops start-up.
    call_each(pm, "startup", policy=STOP, oldest_first=True, app=app)
