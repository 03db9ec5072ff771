"""What a journal does when something is wrong: a torn last line, a failed append, a wrong index.

A mixin of :class:`~consent_kit.store.journal.Journal` (its state and its lock
are the journal's): a writer that died mid-line left bytes after the last
complete line, which are cut off before the next append; a write that failed
part-way (a full disk) is cut off at once; an index that points at another
person's line is thrown away and the file read again. None of it is ever
acknowledged to anyone, so nothing acknowledged is lost.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from consent_kit.store.offset_table import WrongLine

# The journal's own logger: what the log says is the journal's.
log = logging.getLogger("consent_kit.store.journal")


class Repairing:
    """Cutting torn and partial lines, and reading the file again when the index is wrong."""

    def read_checked(self, offset_of: Callable[[], int | None], field: str, name: str) -> dict | None:
        """The line at ``offset_of()``, checked to be ``name``'s (call inside :meth:`locked`).

        If that line's ``field`` is someone else's, the follower's index is wrong: the kept
        index file is deleted, the whole file read again, and the line looked up once more.
        """
        try:
            offset = offset_of()
            line = None if offset is None else self.read_at(offset)
            if line is None or line.get(field) == name:
                return line
        except WrongLine:
            pass
        self._distrust()
        offset = offset_of()
        return None if offset is None else self.read_at(offset)

    def _distrust(self) -> None:
        """The follower's index pointed at the wrong line: delete the kept index file, read the file again."""
        log.error("The index of %s pointed at the wrong line: reading the file again", self.path.name)
        if self._index_file is not None:
            self._index_file.remove()
        self._rebuild()

    def _warn_torn(self, size: int) -> None:
        # Until the next append, every catch-up sees the same tail: warn once.
        key = (self._ident, self._offset, size)
        if key != self._torn_warned:
            self._torn_warned = key
            log.warning(
                "Skipping a torn last line (%d bytes) in %s: a write was interrupted "
                "before it was acknowledged",
                size,
                self.path.name,
            )

    def _cut_torn_tail(self) -> None:
        """Truncate bytes after the last complete line before appending.

        Under the lock no live writer is mid-write, so such bytes come from a
        writer that died; they were never acknowledged.
        """
        size = os.fstat(self._fd).st_size
        if size > self._offset:
            os.ftruncate(self._fd, self._offset)
            os.fsync(self._fd)
            log.warning(
                "Removed a torn last line (%d bytes) from %s before appending",
                size - self._offset,
                self.path.name,
            )

    def _undo_append(self, start: int, exc: OSError) -> None:
        # Part of the line may have reached the file (a disk that filled up
        # mid-write). It was never acknowledged: cut it off so the file ends
        # with the last good line. If even that fails, the next append retries.
        try:
            os.ftruncate(self._fd, start)
            os.fsync(self._fd)
        except OSError:
            log.exception("Could not remove a partial line from %s", self.path.name)
        log.error("Append to %s failed: %s", self.path.name, exc)
