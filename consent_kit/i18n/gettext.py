"""The page's language in templates: fast gettext, ``<html lang dir>``, marks and times.

Flask-Babel's own template callables find the translations again for every
``_()``: a question page has a dozen, and that was a fifth of its time, so
the translations are looked up once per request. Templates also get
``html_lang``/``html_dir``, ``lang_attr``/``in_lang`` (survey words that fell
back to another language) and the ``when`` filter (times in the page's language).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, dates
from flask import Flask, current_app, g, has_app_context, has_request_context
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from jinja2 import pass_eval_context
from markupsafe import Markup

from consent_kit.i18n.languages import html_lang, text_direction
from consent_kit.i18n.localize import fallback_lang


def _translations():
    translations = g.get("_ck_translations")
    if translations is None:
        translations = g._ck_translations = get_translations()
    return translations


def install_fast_gettext(app: Flask) -> None:
    """Replace the template gettext callables (after Flask-Babel installed its own)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    # ``_("...")`` went through three of Jinja's context calls (the ``_`` alias, the new-style
    # wrapper, then the lookup); one does the same work.
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext)
    app.add_template_global(lang_attr)
    app.add_template_global(in_lang)
    app.add_template_filter(when, "when")
    app.add_template_filter(isolate, "isolate")
    app.add_template_filter(readable_label, "readable_label")
    app.context_processor(_page_language)


@pass_eval_context
def _template_gettext(eval_ctx, string: str, **variables):
    """``_()`` and ``gettext()`` in templates, as Jinja's new-style gettext does them.

    Escaped when the template autoescapes, and always a ``%`` format (so ``%%`` is one ``%``),
    with the variables escaped into it.
    """
    text = _translations().ugettext(string)
    if eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


def readable_label(text):
    """A question's words with each ``${name}`` as "[answer to name]" (studio pages: never ``${``)."""
    from consent_kit.survey.piping import stand_in

    return stand_in(text, _translations().ugettext("[answer to %(name)s]"))


def page_language() -> str:
    """The language of the page being drawn ("en", "cy", "ar", ...)."""
    return str(get_locale() or "en")


def _page_language() -> dict:
    """``<html lang dir>`` for base.html: the page's language and its direction."""
    lang = page_language()
    return {"html_lang": html_lang(lang), "html_dir": text_direction(lang)}


def lang_attr(text) -> Markup:
    """`` lang="en"`` for an element whose survey text fell back to another language, else "".

    Screen readers switch voice on it. Use it as ``<h1{{ lang_attr(survey.title) }}>``.
    """
    lang = fallback_lang(text, page_language())
    if not lang:
        return Markup("")
    return Markup(' lang="{}" dir="{}"').format(lang, text_direction(lang))


def forget_translations() -> None:
    """Call after changing the locale within a request (e.g. flask_babel.refresh())."""
    g.pop("_ck_translations", None)


def in_lang(text) -> Markup:
    """``text``, escaped, in a ``<span lang>`` when it fell back to another language.

    For words that share an element with the page's own words, like a label
    followed by "(optional)".
    """
    attr = lang_attr(text)
    return Markup("<span{}>{}</span>").format(attr, text) if attr else Markup.escape(text)


#: The zone times are shown in when neither the survey nor the instance says (``TIME_ZONE``).
DEFAULT_TIME_ZONE = "Europe/London"


def time_zone(name: str | None = None) -> ZoneInfo:
    """The zone called ``name``, else the instance's ``TIME_ZONE``, else UK time.

    Survey files are checked when they are read, so a bad name here can only come from the
    instance's settings: it falls back to UK time rather than break a participant's page.
    """
    if not name and has_app_context():
        # The reader's own clock on studio pages (consent_kit.studio.clock_choice), else the site's.
        reader = current_app.extensions.get("consent_kit_reader_zone")
        name = (reader() if reader is not None and has_request_context() else "") or (
            current_app.config.get("TIME_ZONE"))
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def zone_in_words(zone: ZoneInfo, locale: str) -> str:
    """The zone as people say it: "UK time" for Europe/London, else Babel's "Germany Time"."""
    if zone.key == DEFAULT_TIME_ZONE:
        return _("UK time")
    return dates.get_timezone_location(zone, locale=locale, return_city=False)


def when(stamp: str, zone: str | None = None) -> str:
    """An ISO time such as ``2026-11-26T08:30:00Z`` in words, in the page's language and a zone.

    "26 November 2026, 08:30 UK time" in English, "26 Tachwedd 2026, 08:30 ..." in Welsh.
    ``zone`` is the survey's ``time_zone`` (a name like "Europe/Berlin"); left out, the
    instance's ``TIME_ZONE``. Never "UTC": people read times on their own clock. Anything that
    isn't such a time is shown as it is.
    """
    try:
        moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return str(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # the store writes UTC
    tz = time_zone(zone)
    moment = moment.astimezone(tz)
    # Plain "en" means British English here: "7 March 2026", not "March 7, 2026".
    locale = "en_GB" if page_language() == "en" else page_language()
    day = dates.format_date(moment, "long", locale=locale)
    clock = dates.format_time(moment, "short", tzinfo=tz, locale=locale)
    # The language's own way of joining a day and a time ("{1}, {0}"; Arabic has its own comma).
    joined = Locale.parse(locale).datetime_formats["long"].replace("'", "")
    return f"{joined.replace('{1}', day).replace('{0}', clock)} {zone_in_words(tz, locale)}"


def isolate(text, direction: str = "") -> Markup:
    """``text`` in ``<bdi>`` so a code, date or address keeps its order inside Arabic words.

    ``direction="ltr"`` for things that are always left to right (codes, web addresses).
    """
    attr = Markup(' dir="{}"').format(direction) if direction else Markup("")
    return Markup("<bdi{}>{}</bdi>").format(attr, text)
