"""Turn a findings page's items into what a page shows: safe HTML, counts with small numbers hidden, quotes.

Pure logic (no Flask). Everything is worked out again each time a page is
shown, from what is stored now: a chart counts the answers kept today (so an
answer taken back is no longer counted) and a quote is read from its answer
(so it is gone once the answer is gone, or once its person no longer agrees
to be quoted).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Mapping

from markupsafe import Markup

from consent_kit.consent.records import render_markdown
from consent_kit.findings.book import quote_text
from consent_kit.i18n.languages import html_lang, text_direction
from consent_kit.results.charts import bar_chart
from consent_kit.results.summary import summarise
from consent_kit.survey.piping import STAND_IN, stand_in


def show_items(items: list[dict], survey, *, responses: Callable[[], Iterable],
               get_response: Callable, get_consent: Callable, min_group: int,
               words: Mapping[str, str], language: str = "", easy: bool = False,
               picture_url: Callable[[dict], str] | None = None) -> list[dict]:
    """What each item shows, in order. Items about questions the survey no longer has are left out.

    ``responses()`` gives the survey's kept answers (read only if a chart or
    table needs them); ``get_response(id)`` and ``get_consent(pseudonym)`` are
    the store's. Every dict has ``kind`` and ``id``; see the template
    ``findings/_items.html`` for what each kind carries. A section is in
    ``language`` where the researchers translated it (else as written, with
    ``lang`` saying which language that is); with ``easy``, its Easy Read
    version comes first, with its picture (``picture_url(item)``).
    """
    summaries = {}
    if any(item.get("kind") in ("chart", "table") for item in items):
        results = summarise(survey, responses(), min_group=min_group, text_limit=0, words=words)
        summaries = {s.question.id: s for s in results.questions}
    questions = {q.id: q for q in survey.questions}
    # A question that holds an earlier answer (${name}) is titled with words naming that
    # question ("…about your answer to ‘Which club?’"): a chart is everyone's, never one person's.
    named = {q.id: str(stand_in(q.label, "", {})).strip() for q in survey.questions}
    shown = []
    for item in items:
        kind = item.get("kind")
        if kind == "section":
            shown.append(_section(item, language, survey.language, easy, picture_url))
        elif kind in ("chart", "table") and item.get("question_id") in questions:
            shown.append(_counts(item, questions[item["question_id"]],
                                 summaries.get(item["question_id"]), words, named))
        elif kind == "quote":
            shown.append(_quote(item, survey, get_response, get_consent))
        elif kind == "removed_quote":
            shown.append({"kind": "removed_quote", "id": item["id"]})
    return shown


def show_sections(items: list[dict], *, language: str = "", own: str = "",
                  easy: bool = False, picture_url: Callable[[dict], str] | None = None) -> list[dict]:
    """What a page of parts in words only shows (a project's own findings), as :func:`show_items`.

    ``own`` is the language the parts were written in; with ``easy``, their Easy Read
    words come first, with their picture (``picture_url(item)``).
    """
    return [_section(item, language, own or language, easy, picture_url)
            for item in items if item.get("kind") == "section"]


def translated(item: dict, language: str) -> tuple[dict, bool]:
    """A section's words in ``language`` (heading, text, easy_read) and whether they are translated.

    A translation counts only when it has a heading and a text; its Easy Read
    falls back to the original's when it has none.
    """
    own = {key: item.get(key, "") for key in ("heading", "text", "easy_read")}
    words = (item.get("translations") or {}).get(language) if language else None
    if not words or not (words.get("heading") and words.get("text")):
        return own, False
    return {"heading": words["heading"], "text": words["text"],
            "easy_read": words.get("easy_read") or own["easy_read"]}, True


def translated_into(items: list[dict]) -> set[str]:
    """The languages at least one section is translated into (as :func:`translated` counts them)."""
    return {lang for item in items if item.get("kind") == "section"
            for lang in (item.get("translations") or {}) if translated(item, lang)[1]}


def easy_lines(text: str) -> list[str]:
    """Easy Read: one short sentence a line, as the survey's Easy Read shows it."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _section(item: dict, language: str, own: str, easy: bool, picture_url) -> dict:
    words, is_translated = translated(item, language)
    # Words shown as written on a page in another language say so (screen readers change voice).
    fell_back = bool(language) and language != own and not is_translated
    view = {"kind": "section", "id": item["id"], "heading": words["heading"],
            "html": Markup(render_markdown(words["text"])),
            "lang": html_lang(own) if fell_back else "",
            "dir": text_direction(own) if fell_back else "",
            "easy": easy_lines(words["easy_read"]) if easy else [], "picture": None,
            # The language the words are really in: a voice reading them aloud follows it.
            "language": own if fell_back or not language else language}
    if easy and item.get("picture") and picture_url is not None:
        picture, url = item["picture"], picture_url(item)
        if url:  # "" when the file is gone: no broken picture
            view["picture"] = {"url": url, "alt": item.get("picture_alt", ""),
                               "width": picture.get("width"), "height": picture.get("height")}
    return view


def _counts(item: dict, question, summary, words: Mapping[str, str],
            named: Mapping[str, str] | None = None) -> dict:
    """A chart or table of one question; ``hidden`` (no numbers at all) when too few answered."""
    title = stand_in(question.label, words.get("answer_to", STAND_IN), named)
    view = {"kind": item["kind"], "id": item["id"], "title": title,
            "hidden": True, "tally": None, "svg": None}
    if summary is None or summary.hidden or summary.tally is None:
        return view  # fewer than the threshold answered: not even a bar is drawn
    view.update(hidden=False, tally=summary.tally)
    if item["kind"] == "chart":
        view["svg"] = Markup(bar_chart(summary.tally, chart_id=f"chart-{item['id']}",
                                       title=str(title), words=words))
    return view


def _quote(item: dict, survey, get_response: Callable, get_consent: Callable) -> dict:
    """A quote's words as they are now, or a note that it was taken out."""
    response = get_response(item.get("response_id", ""))
    record = get_consent(response.pseudonym) if response is not None and response.pseudonym else None
    text = quote_text(survey, response, record, item.get("question_id", ""))
    if text is None:
        return {"kind": "removed_quote", "id": item["id"]}
    return {"kind": "quote", "id": item["id"], "text": text}



def words_to_read(view: dict) -> str:
    """What a shown section says, as plain sentences for a voice: the heading, then its words.

    In Easy Read (``view["easy"]``) the short sentences are read, as they are what is shown
    first; otherwise the section's text without its marks (links as their words).
    """
    lines = [view.get("heading", "")] + (view.get("easy") or _plain_lines(str(view.get("html", ""))))
    return "\n".join(_sentence(line) for line in lines if line.strip())


def _plain_lines(rendered: str) -> list[str]:
    """Sanitised HTML as lines of plain text (each paragraph, heading or list item a line)."""
    rendered = re.sub(r"</(p|h\d|li|blockquote)>|<br\s*/?>", "\n", rendered)
    plain = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    return [line.strip() for line in plain.splitlines() if line.strip()]


def _sentence(line: str) -> str:
    """A line ending in a full stop, so the voice pauses after a heading or a list item."""
    line = line.strip()
    return line if line[-1:] in ".?!:;؟۔" else line + "."
