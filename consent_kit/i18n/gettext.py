"""The page's language in templates: fast gettext, ``<html lang dir>``, marks and times.

Flask-Babel's own template callables find the translations again for every
``_()``: a question page has a dozen, and that was a fifth of its time, so
the translations are looked up once per request. Templates also get
``html_lang``/``html_dir``, ``lang_attr``/``in_lang`` (survey words that fell
back to another language) and the ``when`` filter (times in the page's language).
"""

from __future__ import annotations

from datetime import UTC, datetime

from babel import dates
from flask import Flask, g
from flask_babel import get_locale, get_translations
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
    app.add_template_global(lang_attr)
    app.add_template_global(in_lang)
    app.add_template_filter(when, "when")
    app.context_processor(_page_language)


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


def when(stamp: str) -> str:
    """An ISO time such as ``2026-11-26T08:30:00Z`` as people write it in the page's language.

    "26 November 2026, 08:30 UTC" in English, "26 Tachwedd 2026, 08:30 UTC" in Welsh.
    Anything that isn't such a time is shown as it is.
    """
    try:
        moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return str(stamp)
    # Plain "en" means British English here: "7 March 2026", not "March 7, 2026".
    locale = "en_GB" if page_language() == "en" else page_language()
    day = dates.format_date(moment, "long", locale=locale)
    return f"{day}, {dates.format_time(moment, 'HH:mm', tzinfo=UTC, locale=locale)} UTC"
