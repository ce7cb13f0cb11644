"""One ossio_client on its own libev loop, and the loop driver.

The client is created in ossio_client_new()'s host-loop mode with a loop
the binding owns, so Python decides how far the loop runs: one iteration
per C call (the GIL released during it) until what the caller waits for has
happened. Between two calls nothing runs: a reader that stops reading stops
the network (TCP and HTTP/2 flow control), which is what makes the
generators and file objects of this package stream in bounded memory.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Set

from ._core import Pending, check, cstr, ffi, lib, make_error


class Engine:
    """The C client and loop of one :class:`ossio.Client`."""

    def __init__(self, cfg: Any, log_level: int) -> None:
        self.loop = lib.pyo_loop_new()
        if self.loop == ffi.NULL:
            raise MemoryError("cannot create an event loop")
        out = ffi.new("ossio_client **")
        st = lib.ossio_client_new(out, cfg, self.loop)
        if st != lib.OSSIO_OK:
            lib.pyo_loop_destroy(self.loop)
            self.loop = ffi.NULL
            check(st, detail="cannot create the client")
        self.cl = out[0]
        self.live: Set[Pending] = set()
        self._busy = threading.Lock()
        if log_level >= 0:
            lib.ossio_client_set_log(self.cl, lib.pyo_on_log, log_level, ffi.NULL)

    @property
    def closed(self) -> bool:
        return self.cl == ffi.NULL

    def track(self, p: Pending) -> None:
        if self.closed:
            raise ValueError("I/O operation on a closed ossio.Client")
        self.live.add(p)

    def settle(self, p: Pending) -> None:
        self.live.discard(p)

    def wait(self, ready: Callable[[], Any]) -> None:
        """Runs the loop until ready() is true. A second thread entering
        while one runs gets RuntimeError: a client is not thread-safe."""
        if not self._busy.acquire(blocking=False):
            raise RuntimeError(
                "ossio.Client used from two threads at once: create one Client per thread"
            )
        try:
            while not ready():
                if self.closed:
                    raise ValueError("I/O operation on a closed ossio.Client")
                if not self.live:
                    raise RuntimeError("ossio: waiting for an operation that is not in flight")
                lib.pyo_loop_run_once(self.loop)
        finally:
            self._busy.release()

    def finish(self, p: Pending, cancel: Callable[[], None]) -> None:
        """Waits for |p|; if the wait is interrupted (KeyboardInterrupt, an
        exception from a callback), cancels it and waits for its completion,
        so no C callback can later reach freed Python objects."""
        try:
            self.wait(lambda: p.done)
        except BaseException:
            self.abandon(p, cancel)
            raise

    def abandon(self, p: Pending, cancel: Callable[[], None]) -> None:
        """Cancels |p| if still running and runs the loop until it completed."""
        if p.done or self.closed:
            return
        cancel()
        while not p.done and not self.closed:
            try:
                self.wait(lambda: p.done)
            except KeyboardInterrupt:
                continue  # the cancel completes promptly; do not leave it half done

    def op_new(self, kind: int, uri: str, uri_bytes: bytes) -> Any:
        if self.closed:
            raise ValueError("I/O operation on a closed ossio.Client")
        out = ffi.new("ossio_op **")
        st = lib.ossio_op_new(out, self.cl, kind, uri_bytes)
        if st != lib.OSSIO_OK:
            raise make_error(st, uri, detail=cstr(lib.ossio_client_error(self.cl)) or "")
        return out[0]

    def stat(self, which: int) -> int:
        return int(lib.ossio_client_stat(self.cl, which))

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass

    def close(self) -> None:
        """Destroys the client (what is in flight completes as canceled,
        inside this call), then the loop."""
        if self.closed:
            return
        cl, self.cl = self.cl, ffi.NULL
        lib.ossio_client_destroy(cl)
        lib.pyo_loop_destroy(self.loop)
        self.loop = ffi.NULL
        self.live.clear()
