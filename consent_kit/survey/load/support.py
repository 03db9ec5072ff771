"""Read a survey file's ``support`` setting, and web addresses.

Part of :mod:`consent_kit.survey.load.survey_file`.

``support`` is the support page linked from every page of a survey and shown
at the end (described in docs/consent.md). :func:`read_url` reads any web
address; ``exit_page`` is read in :mod:`consent_kit.survey.load.promises`.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from consent_kit.survey.load.common import (
    Context,
    check_keys,
    item_line,
    key_line,
    line_of,
    read_text,
    show,
    value_line,
)
from consent_kit.survey.load.consent_parts import DELETE_HINT, group_message, list_under
from consent_kit.survey.model import SupportContact, SupportInfo

SUPPORT_KEYS = ("intro", "contacts")
CONTACT_KEYS = ("name", "description", "phone", "url", "text")
_SUPPORT_SYNONYMS = {"introduction": "intro", "message": "intro", "text": "intro",
                     "description": "intro", "services": "contacts", "links": "contacts",
                     "helplines": "contacts", "contact": "contacts"}
_CONTACT_SYNONYMS = {"title": "name", "about": "description", "info": "description",
                     "telephone": "phone", "tel": "phone", "number": "phone", "call": "phone",
                     "website": "url", "link": "url", "web": "url", "site": "url",
                     "sms": "text", "text_message": "text"}
_HOST = re.compile(r"^[\w-]+(?:\.[\w-]+)*$")
_NOT_IN_URLS = ('"', "<", ">", "`", "\\", "{", "}", "|", "^")


def read_url(ctx: Context, mapping: dict, key: str, where: str, *, example: str,
             required: bool = False) -> str:
    """Read a web address (http:// or https:// only); report anything else in plain words."""
    raw = mapping.get(key)
    line = value_line(mapping, key, line_of(mapping))
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            ctx.add(line, where, f"'{key}' is empty. Write a web address after it, like "
                    f"'{key}: {example}', or delete the line.")
        return ""
    if not isinstance(raw, str):
        ctx.add(line, where, f"'{key}' should be a web address, like '{key}: {example}', "
                f"not {show(raw)}.")
        return ""
    url = raw.strip()
    problem = url_problem(url)
    if problem:
        ctx.add(line, where, f"'{key}': {problem}")
        return ""
    return url


def url_problem(url: str) -> str | None:
    """Why ``url`` can't be used as a link to a web page, in plain words (None if it can)."""
    if any(c.isspace() or not c.isprintable() for c in url):
        return (f"the web address {show(url)} has a space or a hidden character in it. Copy "
                "it again from your browser's address bar.")
    if any(c in _NOT_IN_URLS for c in url):
        return (f"{show(url)} isn't a web address that works: it has one of these in it: "
                f"{' '.join(_NOT_IN_URLS)}. Copy it again from your browser's address bar.")
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return (f"{show(url)} isn't a web address that works. Copy it again from your "
                "browser's address bar.")
    if scheme in ("http", "https"):
        if url.lower().startswith(scheme + "://") and _good_host(url):
            return None
        return (f"{show(url)} isn't a complete web address. It should look like "
                "'https://www.childline.org.uk': copy it again from your browser's address bar.")
    fixed = ("https:" if url.startswith("//") else "https://") + url
    if ("://" not in url or url.startswith("//")) and _good_host(fixed):
        return f"a web address starts with https://. Write '{fixed}'."
    return (f"{show(url)} isn't a link to a web page. Only web addresses that start with "
            "https:// (or http://) can be used here, like 'https://www.childline.org.uk'.")


def _good_host(url: str) -> bool:
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        return False
    host = parts.hostname or ""
    if parts.username is not None or parts.password is not None or not host:
        return False
    if ":" in host:  # an IPv6 address in brackets
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    return bool(_HOST.match(host)) and ("." in host or host == "localhost")


# --- support --------------------------------------------------------------------------------

def read_support(ctx: Context, data: dict) -> SupportInfo | None:
    """Read ``support``: a kind introduction and the contacts the researchers chose."""
    if "support" not in data:
        return None
    raw = data["support"]
    where = "support"
    if not isinstance(raw, dict):
        ctx.add(key_line(data, "support"), "", group_message(
            "support", raw, "'intro:' (a kind sentence or two) and 'contacts:'"))
        return None
    check_keys(ctx, raw, SUPPORT_KEYS, where, what="The support page",
               synonyms=_SUPPORT_SYNONYMS)
    needs_intro = ("the support page needs 'intro:' with a kind sentence or two, like 'If "
                   "taking part brought up difficult feelings, you don't have to deal with "
                   "them alone.'")
    if "intro" not in raw:
        ctx.add(key_line(data, "support"), where, needs_intro)
    intro = read_text(ctx, raw, "intro", where, required="intro" in raw, missing=needs_intro)
    contacts: list[SupportContact] = []
    listed = list_under(ctx, raw, "contacts", where, "places people can turn to, each starting "
                        "with '- name:'", if_none=DELETE_HINT.format("contacts"))
    for number, item in enumerate(listed, start=1):
        contact = _read_contact(ctx, item, number, item_line(listed, number - 1, line_of(raw)))
        if contact is not None:
            contacts.append(contact)
    return SupportInfo(intro=intro, contacts=tuple(contacts))


def _read_contact(ctx: Context, item, number: int, line: int) -> SupportContact | None:
    name = item.get("name") if isinstance(item, dict) else None
    named = isinstance(name, str) and name.strip()
    where = f"support contact '{name.strip()}'" if named else f"support contact {number}"
    if not isinstance(item, dict):
        ctx.add(line, where, f"each contact should be a group of settings starting with "
                f"'- name:', not {show(item)}. Check the indentation.")
        return None
    check_keys(ctx, item, CONTACT_KEYS, where, what="A contact", synonyms=_CONTACT_SYNONYMS)
    contact = SupportContact(
        name=read_text(ctx, item, "name", where, required=True, missing=(
            "this contact has no name. Add 'name:' with who they are, like 'name: Childline'.")),
        description=read_text(ctx, item, "description", where),
        phone=read_text(ctx, item, "phone", where),
        url=read_url(ctx, item, "url", where, example="https://www.childline.org.uk"),
        text=read_text(ctx, item, "text", where))
    if not any(_given(item.get(k)) for k in ("phone", "url", "text")):
        ctx.add(line_of(item, line), where, "say how to reach this contact: add 'phone:', "
                "'url:' (their website) or 'text:' (like 'Text SHOUT to 85258').")
    return contact


def _given(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


# --- consent --------------------------------------------------------------------------------
