"""Which parts of the embedded store's records are sealed, and with whose key.

* a response line: ``answers`` become ``"sealed"``, with the key of the
  response's pseudonym (``"response:<id>"`` when it has none), bound to the
  response id;
* a consent line (and the copy a response line carries): the personal parts
  (``confirmed_as``, the typed initials, and ``helped``) become ``"sealed"``,
  with the participant's key, bound to the pseudonym. What the counts need
  (survey, version, statements agreed) stays readable until withdrawal
  erases the line;
* a draft: its data becomes ``"sealed"``, with the key of the draft's
  ``pseudonym`` (every draft the participant pages write has one; others share
  the store's ``~drafts`` key), bound to the draft id. The draft keeps its key
  name and expiry in the clear, so expired drafts are found without keys.

Lines written before sealing existed have no ``"sealed"`` field and are read
as they are (migration on read: they are sealed when next rewritten, never
changed in place).
"""

from __future__ import annotations

import logging

from consent_kit.store.crypto import ParticipantKeys, seal, unseal

log = logging.getLogger(__name__)

SEALED = "sealed"
#: The consent fields that say something about the person (the rest is needed for counts).
PERSONAL_CONSENT_FIELDS = ("confirmed_as", "helped")
#: The key of drafts that name no participant (encrypted at rest, never shredded).
SHARED_DRAFTS_KEY = "~drafts"
#: How the key of answers sent without a pseudonym is named: this, then the answers' id.
ANSWERS_KEY = "response:"


def response_key_name(record: dict) -> str:
    """Whose key seals a response: its pseudonym, or its own ``response:<id>`` key."""
    pseudonym = record.get("pseudonym")
    return pseudonym if isinstance(pseudonym, str) and pseudonym else f"{ANSWERS_KEY}{record.get('id')}"


class Sealer:
    """Seals and opens the embedded store's records with :class:`ParticipantKeys`."""

    def __init__(self, keys: ParticipantKeys):
        self.keys = keys

    # -- responses -------------------------------------------------------------------------

    def seal_response(self, record: dict) -> dict:
        """The journal line for a response record: ``answers`` sealed."""
        key = self.keys.get_or_create(response_key_name(record))
        line = {k: v for k, v in record.items() if k != "answers"}
        line[SEALED] = seal(key, record.get("answers"), aad=f"response:{record.get('id')}")
        return line

    def open_response(self, line: dict) -> dict | None:
        """The response record of a journal line; ``None`` when its key was destroyed.

        A plain line (written before sealing) is returned as it is. Raises
        UnreadableData for a wrong key or a changed token.
        """
        if SEALED not in line:
            return line
        key = self.keys.get(response_key_name(line))
        if key is None:
            return None
        record = {k: v for k, v in line.items() if k != SEALED}
        record["answers"] = unseal(key, line[SEALED], aad=f"response:{line.get('id')}")
        return record

    def open_responses(self, lines: list[dict]) -> list[dict]:
        """:meth:`open_response` for many lines, fetching their keys in one go; skips shredded ones."""
        names = {response_key_name(line) for line in lines if SEALED in line}
        keys = self.keys.get_many(names) if names else {}
        opened = []
        for line in lines:
            if SEALED not in line:
                opened.append(line)
                continue
            key = keys.get(response_key_name(line))
            if key is not None:
                record = {k: v for k, v in line.items() if k != SEALED}
                record["answers"] = unseal(key, line[SEALED], aad=f"response:{line.get('id')}")
                opened.append(record)
        return opened

    # -- consent records -----------------------------------------------------------------

    def seal_consent(self, record: dict) -> dict:
        """A consent record with its personal parts sealed with the participant's key."""
        pseudonym = str(record.get("pseudonym"))
        key = self.keys.get_or_create(pseudonym)
        personal = {f: record[f] for f in PERSONAL_CONSENT_FIELDS if f in record}
        line = {k: v for k, v in record.items() if k not in PERSONAL_CONSENT_FIELDS}
        line[SEALED] = seal(key, personal, aad=f"consent:{pseudonym}")
        return line

    def open_consent(self, line: dict) -> dict:
        """The consent record of a line; without its personal parts if the key is gone.

        A consent must still be found (to be withdrawn, or counted) even when
        its personal parts can't be read, so a missing key is not an error.
        """
        if SEALED not in line:
            return line
        pseudonym = str(line.get("pseudonym"))
        record = {k: v for k, v in line.items() if k != SEALED}
        key = self.keys.get(pseudonym)
        if key is None:
            log.warning("A consent record's personal parts can't be read: its key is gone")
            return record
        personal = unseal(key, line[SEALED], aad=f"consent:{pseudonym}")
        record.update({f: personal[f] for f in PERSONAL_CONSENT_FIELDS if f in personal})
        return record

    # -- drafts --------------------------------------------------------------------------

    def seal_draft(self, draft_id: str, body: dict) -> dict:
        """A draft file's body with ``data`` sealed; the key name and expiry stay readable."""
        data = body["data"]
        pseudonym = data.get("pseudonym")
        name = pseudonym if isinstance(pseudonym, str) and pseudonym else SHARED_DRAFTS_KEY
        key = self.keys.get_or_create(name)
        sealed = {k: v for k, v in body.items() if k != "data"}
        sealed.update({"key": name, SEALED: seal(key, data, aad=f"draft:{draft_id}")})
        return sealed

    def open_draft(self, draft_id: str, body: dict) -> dict | None:
        """A draft file's body with ``data`` opened; ``None`` when its key was destroyed."""
        if SEALED not in body:
            return body
        key = self.keys.get(str(body.get("key")))
        if key is None:
            return None
        opened = {k: v for k, v in body.items() if k not in (SEALED, "key")}
        opened["data"] = unseal(key, body[SEALED], aad=f"draft:{draft_id}")
        return opened
