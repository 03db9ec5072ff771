"""Operations on a survey's consent part: information sections and statements.

Same rules as :mod:`consent_kit.studio.builder.ops`: each returns a changed deep
copy; the loader decides whether the result is good; versions for groups
(``versions:``), understanding checks and translations are left as they were.
No Flask here.
"""

from __future__ import annotations

from consent_kit.studio.builder.media import apply_easy_read, video_link
from consent_kit.studio.builder.ops import BuilderError, _l, make_id, move_in
from consent_kit.studio.builder.texts import clone, language_of, set_text

#: The consent lists the builder edits: (key in the file, what one item is called).
KINDS = {"section": "information", "statement": "statements"}
#: The words a new consent part starts with (the researchers change them).
STARTER = {
    "information": [{"id": "what", "heading": "What is this project?",
                     "text": "Say in a few short sentences what the project is and why it matters."}],
    "statements": [{"id": "take_part", "text": "I want to take part."}],
}


def consent_of(definition: dict) -> dict | None:
    """The consent mapping, or None when the survey asks for no consent."""
    consent = definition.get("consent")
    return consent if isinstance(consent, dict) else None


def add_consent(definition: dict) -> dict:
    """Ask for consent: a starter information section and statement to change."""
    changed = clone(definition)
    if consent_of(changed) is None:
        changed["consent"] = clone(STARTER)
    return changed


def remove_consent(definition: dict) -> dict:
    """Stop asking for consent (the whole consent part goes)."""
    changed = clone(definition)
    changed.pop("consent", None)
    return changed


def set_consent_options(definition: dict, *, confirm_with: str, ask_if_helped: bool) -> dict:
    """How people confirm (``tick`` or ``initials``) and whether to ask if someone helped."""
    if confirm_with not in ("tick", "initials"):
        raise BuilderError(_l("Choose how people say they agree."), "confirm_with")
    changed = clone(definition)
    consent = _need_consent(changed)
    consent["confirm_with"] = confirm_with
    consent["ask_if_helped"] = bool(ask_if_helped)
    return changed


def items_of(definition: dict, kind: str) -> list:
    """The information sections (``section``) or statements (``statement``)."""
    consent = consent_of(definition)
    listed = consent.get(_key(kind)) if consent else None
    return listed if isinstance(listed, list) else []


def find_item(definition: dict, kind: str, item_id: str) -> tuple[int, dict]:
    """The position and mapping of a section or statement, or BuilderError.

    A part written in a file without an ``id`` is named ``at-<position>`` (counting from 0).
    """
    listed = items_of(definition, kind)
    for index, item in enumerate(listed):
        if isinstance(item, dict) and str(item.get("id", "")) == item_id:
            return index, item
    position = item_id.removeprefix("at-")
    if item_id.startswith("at-") and position.isdigit() and int(position) < len(listed):
        item = listed[int(position)]
        if isinstance(item, dict) and not item.get("id"):
            return int(position), item
    raise BuilderError(_l("That part of the consent isn't there any more. It may have been "
                       "deleted."))


def add_item(definition: dict, kind: str, words: dict) -> tuple[dict, str]:
    """Add a section (``heading``, ``text``) or statement (``text``, ``required``,
    ``allows_quotes``)."""
    changed = clone(definition)
    consent = _need_consent(changed)
    listed = consent.setdefault(_key(kind), [])
    if not isinstance(listed, list):
        raise BuilderError(_l("The consent part of this survey file can't be changed here. "
                           "Download the file, fix it, and upload it again."))
    taken = [str(i.get("id", "")) for i in listed if isinstance(i, dict)]
    source = words.get("heading") or words.get("text") or kind
    item: dict = {"id": make_id(source, taken, prefix=kind[0], sep="-")}
    listed.append(item)
    _fill(item, kind, words, language_of(changed))
    return changed, item["id"]


def edit_item(definition: dict, kind: str, item_id: str, words: dict) -> dict:
    """Change the words of a section or statement (and whether a statement is needed).

    A section's ``words`` may also hold ``easy_read`` ({words, image, alt}) and ``bsl``
    (a sign language video's web address; empty takes it away).
    """
    changed = clone(definition)
    _fill(find_item(changed, kind, item_id)[1], kind, words, language_of(changed))
    return changed


def delete_item(definition: dict, kind: str, item_id: str) -> dict:
    """Delete a section or statement."""
    changed = clone(definition)
    index, _ = find_item(changed, kind, item_id)
    del items_of(changed, kind)[index]
    return changed


def move_item(definition: dict, kind: str, item_id: str, step: int) -> dict:
    """Move a section or statement up or down."""
    changed = clone(definition)
    index, _ = find_item(changed, kind, item_id)
    move_in(items_of(changed, kind), index, step)
    return changed


def _key(kind: str) -> str:
    if kind not in KINDS:
        raise BuilderError(_l("That isn't a part of the consent."))
    return KINDS[kind]


def _need_consent(definition: dict) -> dict:
    consent = consent_of(definition)
    if consent is None:
        raise BuilderError(_l("This survey doesn't ask for consent yet. Choose 'Ask people to "
                           "agree before they answer' first."))
    return consent


def _fill(item: dict, kind: str, words: dict, language: str) -> None:
    if kind == "section":
        set_text(item, "heading", words.get("heading", ""), language, keep_empty=True)
        set_text(item, "text", words.get("text", ""), language, keep_empty=True)
        if "easy_read" in words:  # {"words", "image", "alt"} from the form
            apply_easy_read(item, language, **words["easy_read"], text_key="text")
        if "bsl" in words:  # a sign language video, as questions have (the loader checks it)
            url = video_link(words["bsl"])
            if url:
                item["bsl"] = url
            else:
                item.pop("bsl", None)
        return
    set_text(item, "text", words.get("text", ""), language, keep_empty=True)
    if "required" in words:
        if words["required"]:
            item.pop("required", None)
        else:
            item["required"] = False
    if "allows_quotes" in words:  # findings and analysis quote only people who agreed to this
        if words["allows_quotes"]:
            item["allows_quotes"] = True
        else:
            item.pop("allows_quotes", None)
