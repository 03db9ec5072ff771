"""Findings across a project: one page for people who took part in any of its surveys.

Each survey's own findings page was approved by a second member before it was
published; this page only gathers what is published already, so it needs no
approval of its own for them: the words of each survey's parts (in the reader's
language) with a link to the whole page, and every "You said, we did" entry,
newest first. Charts and quotes stay on each survey's page, where their
small-number and permission checks are made. Above them come the project's
own words, written by its members and approved and published like a survey's
page (:mod:`.project_studio_views`).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import get_locale

from consent_kit.findings import pictures
from consent_kit.findings.book import TABLE
from consent_kit.findings.public_views import _dated, offer_to_read_aloud
from consent_kit.findings.render import show_items, show_sections, translated_into
from consent_kit.findings.store import project_published, words
from consent_kit.i18n.localize import localize, normal
from consent_kit.kit import current_kit
from consent_kit.results.views import min_group

bp = Blueprint("findings_project", __name__, template_folder="templates", url_prefix="/f/project")


def published_in(kit, project_id: str) -> list[tuple]:
    """``(survey, published page)`` for each survey of the project with published findings, by title."""
    found = []
    for book in kit.store.documents(TABLE).find(lambda b: bool(b.get("published"))):
        survey = kit.catalog.get(book.get("survey_id", ""))
        if survey is not None and kit.project_of(survey.id) == project_id:
            found.append((survey, book["published"]))
    return sorted(found, key=lambda pair: pair[0].title.casefold())


def offer_languages(own: str, own_page: dict | None, found: list[tuple]) -> tuple[str, ...]:
    """Leave the languages this page's words are in where a language menu finds them (this request).

    As a survey's findings page offers its survey's languages: the language the
    project's words are written in first, then each published survey's own, then
    each language a part on the page is really translated into, never a language
    with none of the page's words (Polish menus over English words). A plugin
    that draws a language menu reads ``kit.request_state("languages")["offered"]``
    on a page without a survey (see docs/findings.md).
    """
    items = list((own_page or {}).get("items", []))
    for _survey, page_ in found:
        items += page_["items"]
    others = translated_into(items) | {normal(survey.language) for survey, _page in found}
    offered = (normal(own), *sorted({normal(lang) for lang in others} - {normal(own)}))
    current_kit().request_state("languages")["offered"] = offered
    return offered


@bp.get("/<project_id>")
def page(project_id):
    """What we found in each of the project's surveys, and what changed because of it."""
    kit = current_kit()
    found, own = published_in(kit, project_id), project_published(kit, project_id)
    if not found and not own:
        abort(404)  # nothing published: nothing to say (and no hint that the project exists)
    site_language = current_app.config.get("BABEL_DEFAULT_LOCALE", "en")  # the project's own words
    offer_languages(site_language, own, found)
    lang = str(get_locale() or "")  # chosen now, among the languages on offer
    # The members' own words first (approved and published like a survey's page).
    easy = request.args.get("format") == "easy"
    folder = pictures.project_folder(current_app.instance_path, project_id) if own else None
    intro = show_sections((own or {}).get("items", []), language=lang, easy=easy,
                          own=site_language,
                          # inside the page, as on a survey's page: no request more
                          picture_url=lambda item: pictures.data_uri(folder, item["picture"]["name"]))
    offer_to_read_aloud(intro)
    surveys, said_did = [], []
    for survey, page_ in found:
        survey = localize(survey, lang)
        sections = [item for item in page_["items"] if item.get("kind") == "section"]
        shown = show_items(sections, survey, responses=list, get_response=lambda _id: None,
                           get_consent=lambda _p: None, min_group=min_group(), words=words(),
                           language=lang, easy=easy)  # Easy Read pictures stay on each survey's page
        offer_to_read_aloud(shown)
        surveys.append({"survey": survey, "shown": shown})
        said_did += [{**entry, "survey_title": survey.title} for entry in page_.get("said_did", [])]
    every = (own or {}).get("items", []) + [i for _s, page_ in found for i in page_["items"]]
    return render_template("findings/project.html", intro=intro, surveys=surveys, easy=easy,
                           has_easy=any(item.get("easy_read") for item in every),
                           project_id=project_id, said_did=_dated(said_did),
                           words=words(), min_group=min_group())
