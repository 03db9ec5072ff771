"""Choosing the language of a page: the link, the participant's choice, the browser, the survey.

Order (issue 7): ``?lang=`` in the link (a QR code can carry it), then the
language the participant chose on this visit (kept in the session), then the
browser's Accept-Language, then the survey's own language (the core's
fallback). Only languages that are on offer are ever chosen.
"""

from __future__ import annotations

from consent_kit import translations

SESSION_KEY = "lang"


def offered(survey) -> tuple[str, ...]:
    """The languages on offer: the survey's; on a page without one, the languages its words are
    in when the page says so (``Kit.request_state("languages")["offered"]``, as a project's
    findings page does), else the toolkit's own."""
    if survey is not None:
        return translations.survey_languages(survey)
    # A page written in fewer languages than the site's would show menus in a language its
    # words are not in (Polish menus over English words): such a page names its own.
    from consent_kit import Kit

    return tuple(Kit.request_state("languages").get("offered") or ()) or translations.ui_languages()


def allowed(code: str, survey) -> str:
    """``code`` written the usual way if it may be chosen, else "".

    A link may ask for any language the survey or the toolkit's words are in:
    a survey in English only can still have its buttons in Welsh.
    """
    code = translations.normal(code)
    if not code:
        return ""
    choices = set(offered(survey)) | set(translations.ui_languages())
    if code in choices:
        return code
    base = code.split("_")[0]
    return base if base in choices else ""


def choose(args, session, accept_languages, survey) -> str | None:
    """The language for this request, or None to let the survey's own language stand.

    A valid ``?lang=`` is remembered in ``session`` for the rest of the visit.
    """
    from_link = allowed(args.get("lang", ""), survey)
    if from_link:
        if session.get(SESSION_KEY) != from_link:
            session[SESSION_KEY] = from_link
        return from_link
    remembered = allowed(session.get(SESSION_KEY, ""), survey)
    if remembered:
        return remembered
    on_offer = [code.replace("_", "-") for code in offered(survey)]
    best = accept_languages.best_match(on_offer) if accept_languages else None
    return translations.normal(best) if best else None
