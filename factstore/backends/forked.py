"""A function run in a forked child process, its result handed back through a pipe.

For the Python CPU work of a large read from a Dolt server (pymysql parsing each cell, then
writing it out): a thread cannot run it beside the caller's own, a child process can. A child
is forked only from a process running no other thread (a thread holding a lock at the fork
would leave it held in the child forever); it touches none of the parent's connections, and
leaves with os._exit (no atexit handler, no flush of the parent's buffered output).
"""

from __future__ import annotations

import contextlib
import marshal
import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import Any

from factstore.errors import FactstoreError

CHUNK = 1 << 20


def available() -> bool:
    """Whether a child may be forked now: a POSIX fork, and no other thread running."""
    return hasattr(os, "fork") and threading.active_count() == 1


class Forked:
    """fn(*args) in a child forked now; result() waits for it and gives its value (one
    marshal can write: str, bytes, numbers, None, and lists, tuples and dicts of them), or
    raises the error it raised (a FactstoreError as itself, anything else as one)."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read)
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's
                try:
                    data = b"o" + marshal.dumps(fn(*args))
                except BaseException as exc:  # handed to the parent, which raises it
                    error = exc if isinstance(exc, FactstoreError) else FactstoreError(
                        f"{type(exc).__name__}: {exc}")
                    data = b"e" + pickle.dumps(error)
                view = memoryview(data)
                while view:
                    view = view[os.write(write, view[:CHUNK]):]
                code = 0
            finally:
                os._exit(code)
        os.close(write)
        self.pid, self.fd = pid, read

    def abandon(self) -> None:
        """Give up on the result (the caller is raising an error): the child is stopped."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)

    def result(self) -> Any:
        parts = []
        try:
            while part := os.read(self.fd, CHUNK):
                parts.append(part)
        finally:
            os.close(self.fd)
            self.fd = -1
            _, status = os.waitpid(self.pid, 0)
        data = b"".join(parts)
        if status != 0 or not data:
            raise FactstoreError(f"a reader process failed (exit status {status})")
        if data[:1] == b"e":
            raise pickle.loads(data[1:])  # our own child's error, just made
        return marshal.loads(data[1:])


__all__ = ["CHUNK", "Forked", "available"]
