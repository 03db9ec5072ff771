"""Consent: the text people agree to, the record of what they agreed, and the rules.

Pure logic, no Flask and no files (storage lives in :mod:`consent_kit.store`).

* :func:`consent_text` turns a survey's :class:`~consent_kit.survey.model.ConsentSection`
  into a :class:`ConsentText`: exactly what one person is shown, in one
  language and one variant, with the Markdown already rendered to safe HTML.
  Its :attr:`ConsentText.version` is a hash of that rendered text, so editing a
  single word (or showing another language or variant) makes a new version,
  and a stored copy can be shown later exactly as it was.
* :class:`ConsentRecord` is what one participant agreed to. It holds a random
  pseudonym, never a name; the typed initials (``confirmed_as``) are erased with
  everything else when the person withdraws.
* :func:`missing_required`, :func:`wrong_answers`, :func:`decide` and
  :func:`change_optional` are the rules the web pages apply.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from functools import cached_property

import nh3
from markdown_it import MarkdownIt

from consent_kit.survey.model import ConsentSection, UnderstandingCheck

#: How a participant confirmed: ticking a box, typing their first name or initials, or
#: (for a survey with no consent section) simply sending their answers.
CONFIRM_METHODS = ("tick", "initials", "sent")

#: The only tags rendered consent text may contain (h2 is the section heading itself).
ALLOWED_TAGS = frozenset(
    {"p", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "a", "br", "blockquote", "code"}
)
ALLOWED_ATTRIBUTES = {"a": {"href"}}
#: Links may only use these schemes (links without a scheme, such as ``/s/pilot``, stay).
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
LINK_REL = "noopener noreferrer"

#: A heading written ``#`` in a section's text becomes h3 (the section heading is h2);
#: deeper ones become h4, the smallest heading allowed.
_HEADING_SHIFT = 2
_SMALLEST_HEADING = 4


def _markdown() -> MarkdownIt:
    # "commonmark" without raw HTML: a <script> typed into a survey file is shown
    # as text. Tables and strikethrough are left off on purpose: their tags are
    # not in the allow-list, so they would only come out as jumbled text.
    md = MarkdownIt("commonmark", {"html": False})
    # Images would load from other sites (and are not in the allow-list):
    # show their description instead.
    md.add_render_rule("image", _image_as_text)
    return md


def _image_as_text(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    return self.renderInline(token.children or [], options, env)


_MD = _markdown()


def render_markdown(text: str) -> str:
    """Render a section's Markdown to HTML that is safe to show as it is.

    Headings start at h3 (``#`` → h3, ``##`` and deeper → h4) because the
    section heading is h2. The HTML is then cleaned with an allow-list
    (:data:`ALLOWED_TAGS`; ``a`` keeps only ``href``, limited to
    :data:`URL_SCHEMES`, and always gets ``rel="noopener noreferrer"``), so no
    script, event handler or ``javascript:`` link can survive, whatever the
    survey file says.
    """
    env: dict = {}
    tokens = _MD.parse(text or "", env)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1:]) + _HEADING_SHIFT, _SMALLEST_HEADING)
            token.tag = f"h{level}"
    html = _MD.renderer.render(tokens, _MD.options, env)
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


@dataclass(frozen=True)
class ConsentText:
    """Exactly what one person is shown before agreeing: one language, one variant.

    ``sections`` are ``(section id, heading, safe HTML)``; the heading is plain
    text (escape it when showing it). ``statements`` are ``(id, text,
    required)``, text plain. Store it with ``Store.save_consent_text`` so it can
    be shown again exactly as it was, whatever happens to the survey file.
    """

    language: str
    variant: str  # "" for the main version
    sections: tuple[tuple[str, str, str], ...]
    statements: tuple[tuple[str, str, bool], ...]

    def to_dict(self) -> dict:
        """Return a JSON-ready dict; :meth:`from_dict` gives back an equal ConsentText."""
        return {
            "language": self.language,
            "variant": self.variant,
            "sections": [list(s) for s in self.sections],
            "statements": [list(s) for s in self.statements],
        }

    @classmethod
    def from_dict(cls, d: dict) -> ConsentText:
        """Build a ConsentText from :meth:`to_dict` output (lists become tuples)."""
        return cls(
            language=str(d["language"]),
            variant=str(d.get("variant", "")),
            sections=tuple((str(i), str(h), str(t)) for i, h, t in d["sections"]),
            statements=tuple((str(i), str(t), bool(r)) for i, t, r in d["statements"]),
        )

    @cached_property
    def version(self) -> str:
        """First 16 hex digits of the sha256 of the canonical JSON of :meth:`to_dict`.

        It covers the rendered text in this language and variant, and nothing
        else: the same words always give the same version.
        """
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]

    @property
    def statement_ids(self) -> tuple[str, ...]:
        """Every statement id, in the order shown."""
        return tuple(s[0] for s in self.statements)

    @property
    def required_ids(self) -> tuple[str, ...]:
        """The ids of the statements people must agree to in order to take part."""
        return tuple(s[0] for s in self.statements if s[2])


def consent_text(consent: ConsentSection, *, variant: str = "", language: str = "en") -> ConsentText:
    """Build what a person is shown for ``variant`` ("" = main) in ``language``.

    A variant's empty ``sections`` or ``statements`` means "the same as the
    main version". The texts are taken as given: translation happens before
    this is called. Raises ValueError for a variant the survey does not have.
    """
    sections, statements = consent.sections, consent.statements
    if variant:
        chosen = next((v for v in consent.variants if v.id == variant), None)
        if chosen is None:
            raise ValueError(f"This survey has no consent variant called {variant!r}.")
        sections = chosen.sections or sections
        statements = chosen.statements or statements
    return ConsentText(
        language=language,
        variant=variant,
        sections=tuple((s.id, s.heading, render_markdown(s.text)) for s in sections),
        statements=tuple((s.id, s.text, bool(s.required)) for s in statements),
    )


def new_pseudonym() -> str:
    """A fresh random participant pseudonym: 128 bits as 32 hex digits, no personal data."""
    return secrets.token_hex(16)


@dataclass(frozen=True, kw_only=True)
class ConsentRecord:
    """What one participant agreed to, and how. Never holds answers or contact details.

    ``consent_version`` is :attr:`ConsentText.version` of the text shown.
    ``confirmed_as`` is what they typed when ``method == "initials"`` (else "").
    ``helped`` is their answer to "Someone helped me fill this in" (None if not
    asked). ``code_hash`` is ``codes.code_key(code, purpose="withdraw")`` of
    their withdrawal code ("" if none). Times are ISO 8601 UTC, e.g.
    ``"2026-11-26T08:30:00Z"``; ``changed_at`` is "" until they change an
    optional choice.
    """

    pseudonym: str
    survey_id: str
    consent_version: str
    language: str = "en"
    variant: str = ""
    agreed: tuple[str, ...] = ()
    declined: tuple[str, ...] = ()
    method: str = "tick"
    confirmed_as: str = ""
    helped: bool | None = None
    given_at: str
    code_hash: str = ""
    changed_at: str = ""

    def __post_init__(self) -> None:
        # Lists (from JSON or a caller) become tuples, so records compare equal.
        for name in ("agreed", "declined"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def agreed_to(self, statement_id: str) -> bool:
        """Whether the participant currently agrees to this statement."""
        return statement_id in self.agreed

    def to_record(self) -> dict:
        """Return a JSON-ready dict of every field (tuples as lists)."""
        record = {f.name: getattr(self, f.name) for f in fields(self) }
        record["agreed"], record["declined"] = list(self.agreed), list(self.declined)
        return record

    @classmethod
    def from_record(cls, d: dict) -> ConsentRecord:
        """Build a record from :meth:`to_record` output, ignoring keys it does not know."""
        known = {f.name for f in fields(cls) }
        return cls(**{k: v for k, v in d.items() if k in known})


def missing_required(text: ConsentText, agreed: Iterable[str]) -> list[str]:
    """The required statement ids (in the order shown) that are not in ``agreed``."""
    agreed = set(agreed)
    return [sid for sid in text.required_ids if sid not in agreed]


def wrong_answers(checks: Iterable[UnderstandingCheck], answers: dict[str, str]) -> list[UnderstandingCheck]:
    """The understanding checks whose answer is missing or not the right one, in order.

    A wrong answer only means "show ``explained_in`` again and let them try
    again": it never locks anyone out and is never stored.
    """
    return [c for c in checks if answers.get(c.id) != c.answer]


def decide(
    text: ConsentText, agreed: Iterable[str], *, require_required: bool = True
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split the statements of ``text`` into ``(agreed, declined)``, in the order shown.

    Ids in ``agreed`` that are not statements of this text are ignored (nobody
    can agree to something they were not shown). With ``require_required``
    (the default) a missing required statement raises ValueError: a consent
    record must never be made without them.
    """
    agreed = set(agreed)
    if require_required:
        missing = missing_required(text, agreed)
        if missing:
            raise ValueError(
                "To take part you need to agree to every statement marked as needed. "
                f"Not agreed yet: {', '.join(missing)}."
            )
    ids = text.statement_ids
    return tuple(s for s in ids if s in agreed), tuple(s for s in ids if s not in agreed)


def change_optional(
    record: ConsentRecord, text: ConsentText, agreed_now: Iterable[str], at: str
) -> ConsentRecord:
    """Return ``record`` with the optional statements of ``agreed_now`` agreed and the rest declined.

    ``agreed_now`` is everything the person agrees to now, required statements
    included (a page that only shows the optional boxes passes
    ``set(text.required_ids) | ticked``). Required statements cannot be taken
    back here: withdrawing is the way to do that, and leaving one out raises
    ValueError with a plain message. ``text`` must be the version the record
    was given with. Unknown ids are ignored. If nothing changes the same record
    is returned, so ``new == record`` means there is nothing to store.
    """
    if text.version != record.consent_version:
        raise ValueError(
            "These choices belong to a different version of the information than the one "
            "this person agreed to, so they were not changed."
        )
    agreed_now = set(agreed_now)
    taken_back = [sid for sid in text.required_ids if sid not in agreed_now]
    if taken_back:
        raise ValueError(
            "Some statements are needed to take part, so they can't be un-ticked here "
            f"({', '.join(taken_back)}). To take back your consent, withdraw from the study instead."
        )
    agreed, declined = decide(text, agreed_now)
    if agreed == record.agreed and declined == record.declined:
        return record
    return replace(record, agreed=agreed, declined=declined, changed_at=at)
