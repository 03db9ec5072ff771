"""The language switcher at the top of participant pages: plain links, no JavaScript.

Each language is named in itself (Cymraeg, العربية) and marked with its own
``lang`` and ``dir``, so screen readers say it right.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

from flask_babel import gettext as _
from markupsafe import Markup, escape

from consent_kit import translations

from .choose import offered


def switcher(request, survey, current: str) -> Markup | None:
    """Links to this page in each other language on offer, or None when there is only one."""
    codes = offered(survey)
    if len(codes) < 2:
        return None
    current = translations.normal(current)
    args = tuple((key, value) for key, value in request.args.items(multi=True) if key != "lang")
    # The full path: behind a proxy that serves the app under a prefix, request.path leaves it out.
    path = request.script_root + request.path
    return _switcher_html(tuple(codes), current, path, args, _("Language"))


# On every participant page: kept per page address and language (it was an eighth of a page's time).
@lru_cache(maxsize=1024)
def _switcher_html(codes: tuple[str, ...], current: str, path: str, args: tuple, label: str) -> Markup:
    items = []
    for code in codes:
        name = escape(translations.native_name(code))
        lang, direction = code.replace("_", "-"), translations.text_direction(code)
        if code == current or code == current.split("_")[0]:
            items.append(Markup('<li><span lang="{}" dir="{}" aria-current="true">{}</span></li>')
                         .format(lang, direction, name))
        else:
            items.append(Markup('<li><a href="{}" hreflang="{}" lang="{}" dir="{}">{}</a></li>')
                         .format(_link(path, args, code), lang, lang, direction, name))
    return Markup('<nav class="languages" aria-label="{}"><ul>{}</ul></nav>').format(
        label, Markup("").join(items))


def _link(path: str, args: tuple, code: str) -> str:
    """This page's address with ``lang`` set (other settings in the address are kept)."""
    query = urlencode([*args, ("lang", code.replace("_", "-"))])
    return f"{path}?{query}"
