"""The plugin's per-app state, its public links, and a poster's words (needs a Flask app)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for
from flask_babel import force_locale, gettext

from consent_kit import current_kit

from .poster import Poster, incentive_text
from .qr import PrintSize
from .sources import POSTERS_TABLE, TABLE, Posters, Source, Sources

EXTENSION = "qr_entry"


@dataclass
class QrState:
    """What the plugin keeps for one app, in ``kit.plugin_state["qr_entry"]``."""

    sources: Sources
    posters: Posters


def init_state(kit) -> QrState:
    """Make the plugin's state for an app from its kit's store."""
    store = kit.store
    state = QrState(Sources(store.documents(TABLE)), Posters(store.documents(POSTERS_TABLE)))
    kit.plugin_state[EXTENSION] = state
    return state


def state() -> QrState:
    """The plugin's state for the current app."""
    return current_kit().plugin_state[EXTENSION]


#: Hosts that only this computer reaches: a poster pointing there works for nobody else.
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}
MISSING, LOCAL = "missing", "local"


class NoPublicAddress(Exception):
    """Printed links are refused: ``base_url`` is not set, or names this computer only."""

    def __init__(self, problem: str, base_url: str = ""):
        super().__init__(problem)
        self.problem, self.base_url = problem, base_url


def address_problem(base_url: str) -> str | None:
    """:data:`MISSING`, :data:`LOCAL` or ``None`` when ``base_url`` is fit for printing.

    With no ``base_url`` a link would come from the request's Host header,
    which the sender chooses (issue 23 item 16); ``127.0.0.1`` or
    ``localhost`` reach only the computer the server runs on (issue 21 §2).
    """
    base_url = (base_url or "").strip()
    if not base_url:
        return MISSING
    host = (urlsplit(base_url).hostname or "").lower()
    return LOCAL if host in LOCAL_HOSTS or host.startswith("127.") else None


def public_url(endpoint: str, **values) -> str:
    """A full link people can use from anywhere, always built on ``base_url``.

    Printed links must lead to the address people reach the server on, which
    behind a proxy is not always the address the request came in on, and
    never to whatever the request's Host header said. Raises
    :class:`NoPublicAddress` when ``base_url`` is missing or local.
    """
    base = str(current_app.config.get("BASE_URL") or "").rstrip("/")
    problem = address_problem(base)
    if problem:
        raise NoPublicAddress(problem, base)
    path = url_for(endpoint, **values)
    # Served under a prefix (/survey) that base_url already ends with: don't say it twice.
    root = request.script_root if has_request_context() else ""
    if root and base.endswith(root) and path.startswith(root):
        path = path[len(root):]
    return base + path


def join_url(source: Source) -> str:
    """The short link of a source: it holds the source's code and nothing else."""
    return public_url("qr_entry.join", code=source.code)


def qr_label(url: str) -> str:
    """What a screen reader says for a QR code."""
    return gettext("A code to scan with a phone camera. It opens %(url)s", url=url)


def distance_words(size: PrintSize) -> str:
    """How far away the printed code scans from, in plain words."""
    if size.distance_cm >= 100 and size.distance_cm % 100 == 0:
        metres = size.distance_cm // 100
        return gettext("1 metre") if metres == 1 else gettext("%(n)s metres", n=metres)
    return gettext("%(n)s cm", n=size.distance_cm)


def build_poster(survey, source: Source, size: PrintSize, words) -> Poster:
    """A poster's words, in the source's language when it has one (English when no catalog has it)."""
    with force_locale(source.language or survey.language or "en"):
        url = join_url(source)
        return Poster(
            title=survey.title,
            invitation=words.invitation or gettext("Tell us what you think: take part in our survey."),
            time_line=gettext("It takes %(time)s.", time=survey.time_to_complete)
            if survey.time_to_complete else "",
            incentive=_incentive_line(survey.extra.get("incentive")),
            url=url,
            scan_words=gettext("Scan the code with your phone camera, or type this address:"),
            contact=gettext("Questions? %(contact)s", contact=words.contact) if words.contact else "",
            size_note=gettext("Print at actual size (100%%): the code is then %(width)s cm wide and "
                              "scans from up to %(distance)s away.",
                              width=_cm(size.code_mm), distance=distance_words(size)),
            size=size,
        )


def _incentive_line(incentive) -> str:
    """ "To say thank you: a £5 shopping voucher", or "" when the survey offers nothing."""
    reward = incentive_text(incentive)
    if not reward:
        return ""
    first = incentive.get("first") if isinstance(incentive, dict) else None
    if isinstance(first, int) and not isinstance(first, bool) and first > 0:
        return gettext("To say thank you: %(reward)s, for the first %(n)s people.", reward=reward, n=first)
    return gettext("To say thank you: %(reward)s.", reward=reward)


def _cm(mm: int) -> str:
    return f"{mm / 10:g}"
