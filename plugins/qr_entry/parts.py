"""QR codes on participant pages: the "saved" page's link and the consent copy's withdrawal link."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext, lazy_gettext
from markupsafe import Markup

from consent_kit import StudioTask

from . import qr
from .links import qr_label

#: Big enough to scan from a screen held at arm's length; small enough for a 320 px phone.
SCREEN_PX = 176
CAPTIONS = {
    "saved": lazy_gettext("To carry on on another phone or tablet, scan this code with it."),
    "copy": lazy_gettext("Scan this code to open the page where you can change your mind."),
}


def qr_part(slot: str, survey, link: str) -> Markup | None:
    """A QR code of the link beside the slot, with a caption; None for other slots."""
    # Only a full address (from base_url): a phone scanning a bare path goes nowhere.
    if slot not in CAPTIONS or not link.startswith(("https://", "http://")):
        return None
    code = qr.svg(link, error_correction="M", width_px=SCREEN_PX, label=qr_label(link))
    return Markup('<figure class="qr">{}<figcaption>{}</figcaption></figure>').format(
        Markup(code), CAPTIONS[slot])


def studio_tasks(survey_id: str) -> list[StudioTask]:
    """The survey's places, QR codes and posters, as a task in the studio."""
    return [StudioTask(gettext("QR codes and posters"), url_for("qr_entry.sources", survey_id=survey_id),
                       order=70)]


def breakdown_label() -> str:
    """The name of the split by place, as results pages show it."""
    return gettext("Where people came from")


def place_namer(names: dict[str, str]):
    """``value_of`` for the split by place: a place's name for its code.

    Answers sent through the survey's own link are "The survey link" (as the
    core says it); a source no place has (such as "paper") is shown as it is.
    """
    plain_link = gettext("The survey link")

    def value_of(response) -> str:
        return names.get(response.source) or response.source or plain_link

    return value_of
