"""The findings page as a tagged PDF to print or keep (normal or large print), made on this computer.

Drawn by WeasyPrint as the participant's copy of consent is
(:mod:`consent_kit.consent.pdf`): PDF/UA-1 tags, the document's language,
right-to-left lines for Arabic, only the fonts shipped with consent-kit (a
link or picture in the researchers' words never makes the server fetch
anything). Charts are printed as their tables: the same numbers, readable
without colour. The Easy Read version has its pictures, the ones the page
itself shows (already made small, inside the page as ``data:`` addresses):
the only pictures the PDF may draw.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment

from consent_kit.consent.pdf import FONTS, VARIANT

#: Read by its own Jinja environment (not Flask's): nothing from the request reaches it.
_TEMPLATE = (Path(__file__).parent / "templates" / "findings" / "pdf_page.html").read_text(
    encoding="utf-8")

_ENV = Environment(autoescape=True)  # every researcher and participant word is escaped


def findings_html(*, survey_title: str, shown: list[dict], said_did: list[dict], labels: dict,
                  address: str, lang: str, direction: str, large: bool) -> str:
    """The findings as one HTML page to draw as PDF (section texts are already-sanitised HTML)."""
    return _ENV.from_string(_TEMPLATE).render(
        survey_title=survey_title, shown=shown, said_did=said_did, labels=labels, address=address,
        lang=lang, direction=direction, large=large,
        regular=(FONTS / "DejaVuSans.ttf").as_uri(), bold=(FONTS / "DejaVuSans-Bold.ttf").as_uri())


def findings_pdf(html: str, pictures=()) -> bytes:
    """The PDF bytes of :func:`findings_html`'s page (tagged, PDF/UA-1).

    ``pictures`` are the ``data:`` addresses of the Easy Read pictures the page
    shows; nothing else but the bundled fonts is ever read.
    """
    from weasyprint import HTML  # slow to import; only this page needs it

    return HTML(string=html, url_fetcher=_fetcher(pictures)).write_pdf(pdf_variant=VARIANT)


def picture_urls(shown: list[dict]) -> set[str]:
    """The addresses of the pictures the shown parts draw (the PDF may draw those only)."""
    return {view["picture"]["url"] for view in shown if view.get("picture")}


def _fetcher(pictures):
    """WeasyPrint's fetcher for the bundled fonts and these pictures, nothing else."""
    from weasyprint.urls import URLFetcher, URLFetchingError

    allowed = {(FONTS / name).as_uri() for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")}
    allowed |= {url for url in pictures if url.startswith("data:image/jpeg;base64,")}

    class OnlyOurs(URLFetcher):
        def fetch(self, url, headers=None):
            if url not in allowed:
                raise URLFetchingError(f"not fetched: {url[:80]}")
            return super().fetch(url, headers)

    return OnlyOurs(allowed_protocols=("file", "data"), allow_redirects=False)
