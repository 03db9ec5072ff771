"""What changed between the live version of a survey and its draft, in words.

Shown before publishing, so the person publishing knows what people will see
differently: questions added, removed or reworded; pages added or removed;
consent words changed; the support page or "Leave this page" changed.
Sentences are marked with ``_l`` and translated where they are shown. No Flask here.
"""

from __future__ import annotations

from consent_kit.studio.builder.ops import _l, iter_questions, pages_of
from consent_kit.studio.builder.texts import text_of

#: A change: untranslated sentence and its parameters.
Change = tuple[str, dict]


def changes(old: dict | None, new: dict) -> list[Change]:
    """The changes from ``old`` (the live definition, None if never published) to ``new``."""
    if old is None:
        return [(_l("This is the first version. Everything in it is new."), {})]
    language = str(new.get("language", "en"))
    found = _question_changes(old, new, language) + _page_changes(old, new, language)
    for key, sentence in (("title", _l("Changed the title.")),
                          ("description", _l("Changed the description."))):
        if old.get(key) != new.get(key):
            found.append((sentence, {}))
    found += _consent_changes(old.get("consent"), new.get("consent"))
    if old.get("support") != new.get("support"):
        found.append((_l("Changed the support page."), {}))
    if (old.get("exit_page"), old.get("exit_page_reason")) != (new.get("exit_page"),
                                                               new.get("exit_page_reason")):
        found.append((_l("Changed where “Leave this page” goes."), {}))
    if not found and _without_status(old) != _without_status(new):
        found.append((_l("Changed other settings of the survey."), {}))
    return found


def _questions(definition: dict, language: str) -> dict[str, tuple[str, dict]]:
    return {str(item.get("id", "")): (text_of(item.get("label"), language), item)
            for _index, _page, _position, item in iter_questions(definition)}


def _question_changes(old: dict, new: dict, language: str) -> list[Change]:
    before, after = _questions(old, language), _questions(new, language)
    found: list[Change] = []
    for qid, (label, item) in after.items():
        if qid not in before:
            found.append((_l("Added the question ‘%(label)s’."), {"label": label}))
        elif before[qid][0] != label:
            found.append((_l("Reworded ‘%(old)s’ to ‘%(new)s’."),
                          {"old": before[qid][0], "new": label}))
        elif before[qid][1] != item:
            found.append((_l("Changed the question ‘%(label)s’ (its choices, help or "
                             "settings)."), {"label": label}))
    found += [(_l("Removed the question ‘%(label)s’."), {"label": label})
              for qid, (label, _item) in before.items() if qid not in after]
    return found


def _page_changes(old: dict, new: dict, language: str) -> list[Change]:
    def titles(definition):
        return {str(p.get("id", "")): text_of(p.get("title"), language) or str(p.get("id", ""))
                for p in pages_of(definition) if isinstance(p, dict)}

    before, after = titles(old), titles(new)
    return ([(_l("Added the page ‘%(title)s’."), {"title": t})
             for pid, t in after.items() if pid not in before]
            + [(_l("Removed the page ‘%(title)s’."), {"title": t})
               for pid, t in before.items() if pid not in after])


def _consent_changes(old, new) -> list[Change]:
    old = old if isinstance(old, dict) else None
    new = new if isinstance(new, dict) else None
    if old is None and new is None:
        return []
    if old is None:
        return [(_l("People are now asked to agree before they answer."), {})]
    if new is None:
        return [(_l("People are no longer asked to agree before they answer."), {})]
    found: list[Change] = []
    if old.get("information") != new.get("information"):
        found.append((_l("Changed what people read before they agree."), {}))
    if old.get("statements") != new.get("statements"):
        found.append((_l("Changed what people agree to."), {}))
    rest = ({k: v for k, v in old.items() if k not in ("information", "statements")},
            {k: v for k, v in new.items() if k not in ("information", "statements")})
    if rest[0] != rest[1]:
        found.append((_l("Changed how people say they agree."), {}))
    return found


def _without_status(definition: dict) -> dict:
    return {k: v for k, v in definition.items() if k != "status"}
