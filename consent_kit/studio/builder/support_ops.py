"""The support page and the survey's promises, as the browser edits them.

Same rules as :mod:`consent_kit.studio.builder.ops`: each returns a changed
deep copy, and the loader decides whether the result is good. Words are put
in the survey's own language and its translations are kept; a setting
typed exactly as it already is stays exactly as it was, so a survey file
downloaded and uploaded again doesn't change. No Flask here.
"""

from __future__ import annotations

from consent_kit.studio.builder.texts import clone, language_of, normalise_words, set_text

#: What a support contact can say: translatable words, then plain settings.
CONTACT_WORDS = ("name", "description", "text")
CONTACT_PLAIN = ("phone", "url")


def set_support(definition: dict, intro: str, contacts: list[dict]) -> dict:
    """The support page's introduction and its services (rows with no name are left out)."""
    changed = clone(definition)
    language = language_of(changed)
    support = changed.get("support") if isinstance(changed.get("support"), dict) else {}
    old = support.get("contacts") if isinstance(support.get("contacts"), list) else []
    kept = []
    for index, typed in enumerate(contacts):
        if not normalise_words(typed.get("name", "")):
            continue
        item = clone(old[index]) if index < len(old) and isinstance(old[index], dict) else {}
        for key in CONTACT_WORDS:
            set_text(item, key, typed.get(key, ""), language)
        for key in CONTACT_PLAIN:
            _set_plain(item, key, typed.get(key, ""))
        kept.append(item)
    support = dict(support)
    set_text(support, "intro", intro, language)
    if kept:
        support["contacts"] = kept
    else:
        support.pop("contacts", None)
    if support:
        changed["support"] = support
    else:
        changed.pop("support", None)
    return changed


def set_promises(definition: dict, *, closes: str, withdraw_until: str, contact: str) -> dict:
    """When the survey closes, the last day to take answers back, and who to ask (empty: none)."""
    changed = clone(definition)
    for key, typed in (("closes", closes), ("withdraw_until", withdraw_until)):
        _set_plain(changed, key, typed)
    set_text(changed, "contact", contact, language_of(changed))
    return changed


def _set_plain(mapping: dict, key: str, typed: str) -> None:
    typed = normalise_words(typed)
    if not typed:
        mapping.pop(key, None)
    elif str(mapping.get(key, "")) != typed:  # unchanged stays as written (a date stays a date)
        mapping[key] = typed
