"""Telling the people who asked to hear when a survey's findings are published.

On publishing, every notifier plugin (the ``findings_ready`` hook) is given
the people waiting; the contacts of those a plugin says it told are deleted at
once. The built-in notifier tells no one itself: it marks the list as due, and
the studio's "People waiting to hear" page gives it to a researcher to send by
hand, then deletes it when they mark it as told.
"""

from __future__ import annotations

from consent_kit.findings import contacts as people
from consent_kit.plugins import call_each


def tell_waiting(kit, survey_id: str, url: str, *, actor: str) -> int:
    """Call the notifiers for a survey's waiting people; returns how many were told (and deleted)."""
    documents = kit.store.documents(people.TABLE)
    waiting = people.waiting(documents, survey_id)
    if not waiting:
        return 0
    given = people.for_notifier(waiting, url)
    known = {c["id"] for c in waiting}
    told: dict[str, int] = {}
    gone: set[str] = set()
    for plugin, ids in call_each(kit.pm, "findings_ready", oldest_first=True,
                                 survey_id=survey_id, contacts=[dict(c) for c in given]):
        mine = {str(i) for i in ids or ()} & known  # only people on this survey's list
        if mine - gone:
            told[plugin] = len(mine - gone)
            gone |= mine
    count = people.forget(documents, survey_id, gone)
    if told:
        kit.store.audit(actor=actor, action="findings_contacts_told", subject=survey_id,
                        details={"by_plugin": told, "deleted": count})
    return count


def builtin_notifier(kit, survey_id: str) -> list:
    """The built-in notifier: the list is now due, for a researcher to send by hand. Tells no one."""
    people.mark_ready(kit.store.documents(people.TABLE), survey_id)
    return []
