"""The participant's copy of what they agreed to, as a tagged, accessible PDF made on this computer.

No outside service sees it. WeasyPrint draws it from HTML as PDF/UA-1: every
heading, paragraph and list is tagged in the PDF's structure tree, the document
says its language (``/Lang``) and its title, and the words are real text in
reading order, so a screen reader reads it as it reads the copy page. Pango and
HarfBuzz join Arabic letters and lay right-to-left lines out from the right.
Nothing is fetched from anywhere but the fonts shipped with consent-kit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from jinja2 import Environment
from markupsafe import Markup

from consent_kit.paths import PACKAGE

FONTS = PACKAGE / "fonts"
#: PDF/UA-1 (ISO 14289-1): the tagged-PDF rules screen readers rely on.
VARIANT = "pdf/ua-1"


@dataclass(frozen=True)
class CopyContent:
    """Everything the copy shows, already in the participant's language."""

    survey_title: str
    given_at: str
    reference: str
    withdraw_url: str
    agreed: list[str]
    declined: list[str]
    sections: list[tuple[str, str]]  # (heading, safe HTML)
    labels: dict[str, str]
    direction: str = "ltr"  # "rtl" for Arabic, Urdu, ...: lines start at the right
    language: str = field(default="")  # "ar", "cy", ...: the PDF's /Lang ("" = the page's language)


# The same parts, in the same order, as the copy page (consent/_copy_body.html). Headings are
# real h1/h2/h3 and statements real list items, so the PDF's tags say what each part is.
_TEMPLATE = """<!doctype html>
<html lang="{{ lang }}" dir="{{ c.direction }}">
<head><meta charset="utf-8"><title>{{ c.labels["title"] }}</title>
<style>
@font-face { font-family: CopyFont; src: url("{{ regular }}"); }
@font-face { font-family: CopyFont; font-weight: bold; src: url("{{ bold }}"); }
@page { size: A4; margin: 20mm; }
body { font-family: CopyFont; font-size: 11pt; line-height: 1.45; }
h1 { font-size: 18pt; margin: 0 0 4mm; }
h2 { font-size: 14pt; margin: 6mm 0 2mm; }
h3 { font-size: 12pt; margin: 5mm 0 1mm; }
p, li { margin: 0 0 2mm; }
ul { padding-inline-start: 6mm; margin: 0 0 2mm; }
.address { direction: ltr; text-align: left; }
</style></head>
<body>
<h1>{{ c.labels["title"] }}</h1>
<p><strong>{{ c.survey_title }}</strong></p>
<p>{{ c.labels["given_at"] }}: <bdi>{{ c.given_at }}</bdi></p>
{% if c.reference %}<p><strong>{{ c.labels["reference"] }}:
<bdi dir="ltr">{{ c.reference }}</bdi></strong></p>{% endif %}
{% if c.agreed %}<h2>{{ c.labels["agreed"] }}</h2>
<ul>{% for words in c.agreed %}<li>{{ words }}</li>{% endfor %}</ul>{% endif %}
{% if c.declined %}<h2>{{ c.labels["declined"] }}</h2>
<ul>{% for words in c.declined %}<li>{{ words }}</li>{% endfor %}</ul>{% endif %}
<h2>{{ c.labels["withdraw_heading"] }}</h2>
<p>{{ c.labels["withdraw_text"] }}</p>
<p class="address" dir="ltr">{{ c.withdraw_url }}</p>
{% for heading, body in sections %}<h3>{{ heading }}</h3>{{ body }}{% endfor %}
</body></html>
"""

_ENV = Environment(autoescape=True)  # every participant and survey word is escaped


def copy_html(content: CopyContent) -> str:
    """The copy as one HTML page (what the PDF is drawn from)."""
    # The information sections are already-sanitised HTML (nh3) from the stored consent text.
    sections = [(heading, Markup(body)) for heading, body in content.sections]
    return _ENV.from_string(_TEMPLATE).render(
        c=content, lang=content.language or _page_language(), sections=sections,
        regular=(FONTS / "DejaVuSans.ttf").as_uri(), bold=(FONTS / "DejaVuSans-Bold.ttf").as_uri())


def _page_language() -> str:
    """The language of the page being answered (for /Lang), or "en" outside a request."""
    from flask import has_request_context
    from flask_babel import get_locale

    locale = get_locale() if has_request_context() else None
    return str(locale).replace("_", "-") if locale else "en"


def _font_fetcher():
    """WeasyPrint's fetcher for the bundled fonts only: a picture or link in a survey's text
    never makes the server fetch anything, nor read any other file."""
    from weasyprint.urls import URLFetcher, URLFetchingError

    allowed = {(FONTS / name).as_uri() for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")}

    class OnlyOurFonts(URLFetcher):
        def fetch(self, url, headers=None):
            if url not in allowed:
                raise URLFetchingError(f"not fetched: {url[:80]}")
            return super().fetch(url, headers)

    return OnlyOurFonts(allowed_protocols=("file",), allow_redirects=False)


def consent_copy_pdf(content: CopyContent) -> bytes:
    """Return the PDF bytes of a participant's consent copy (tagged, PDF/UA-1)."""
    # Imported here: WeasyPrint takes a second or more to import, and only this page needs it.
    from weasyprint import HTML

    document = HTML(string=copy_html(content), url_fetcher=_font_fetcher())
    return document.write_pdf(pdf_variant=VARIANT, uncompressed_pdf=False)
