"""A big download streams while it is being written, so the browser gets bytes from the start.

An exporter *writes* to a file; a web response *is read* in chunks. For a
small export the studio writes the whole file first (a failure then shows a
page, not half a file). For a big one that could take a minute or more, the
exporter runs in a thread writing into a :class:`Pipe`, and the response
hands on each chunk as it comes, with memory bounded by the pipe's few
chunks. CSV and JSON arrive row by row; an Excel workbook is assembled by
its writer at the end, so its bytes come when it is done.

Pure logic (no Flask): the caller wraps ``run`` in the request's context.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)

#: Bytes per chunk handed to the web server, and chunks waiting at most.
CHUNK_BYTES = 64 * 1024
QUEUED_CHUNKS = 16
_END = object()


class Pipe:
    """A write-only binary file whose bytes a reader takes in chunks from another thread."""

    def __init__(self, chunk_bytes: int = CHUNK_BYTES, queued: int = QUEUED_CHUNKS):
        self.chunks: queue.Queue = queue.Queue(maxsize=queued)
        self.chunk_bytes = chunk_bytes
        self.closed = False
        self._buffer = bytearray()

    def write(self, data) -> int:
        """Take ``data``; hand on a chunk whenever enough has gathered."""
        if self.closed:
            raise BrokenPipeError("the download was stopped")
        self._buffer += data
        if len(self._buffer) >= self.chunk_bytes:
            self._put(bytes(self._buffer))
            self._buffer.clear()
        return len(data)

    def flush(self) -> None:
        """Nothing to do: chunks go when they are full (a file-like object needs this)."""

    def finish(self, end=_END) -> None:
        """Hand on what is left, then the end mark."""
        if self._buffer:
            self._put(bytes(self._buffer))
            self._buffer.clear()
        self._put(end)

    def _put(self, item) -> None:
        # Wait for the reader, but give up once it has gone (the browser stopped the download).
        while not self.closed:
            try:
                self.chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                continue
        raise BrokenPipeError("the download was stopped")


class Failed:
    """The end mark of a write that failed; the reader raises ``error``."""

    def __init__(self, error: BaseException):
        self.error = error


def stream(run: Callable[[Pipe], int], done: Callable[[int], None]) -> Iterator[bytes]:
    """Yield the bytes ``run(pipe)`` writes, as it writes them; then call ``done(rows)``.

    ``run`` returns how many rows it wrote. When it fails, the error is raised
    to the web server (the download is cut short, never completed with a
    wrong file), and ``done`` is not called. When the reader stops early, the
    writer is stopped at its next write.
    """
    pipe, outcome = Pipe(), {}

    def work() -> None:
        try:
            outcome["rows"] = run(pipe)
            pipe.finish()
        except BrokenPipeError:
            pass  # the reader went away: nothing more to do
        except BaseException as error:
            log.exception("An export failed while it was being sent")
            try:
                pipe.finish(Failed(error))
            except BrokenPipeError:
                pass

    writer = threading.Thread(target=work, name="export-stream", daemon=True)
    writer.start()
    try:
        while True:
            chunk = pipe.chunks.get()
            if chunk is _END:
                break
            if isinstance(chunk, Failed):
                raise chunk.error
            yield chunk
        writer.join()
        done(outcome["rows"])
    finally:
        pipe.closed = True
