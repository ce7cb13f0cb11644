"""The binding's core: the compiled module, outcomes of C calls turned into
exceptions, and the completions the C library calls back into Python.

Every C call releases the GIL (cffi does so around each call); the loop runs
inside such a call, and only the completions below take the GIL back. They
never raise into C: an exception is kept on the pending object and raised by
the Python code that waits for it.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

from ._ossio_cffi import ffi, lib
from .errors import OssioError, error_class

_log = logging.getLogger("ossio")


def cstr(p: Any) -> Optional[str]:
    """A C string as str (None for NULL); undecodable bytes kept as surrogates."""
    if p == ffi.NULL:
        return None
    return ffi.string(p).decode("utf-8", "surrogateescape")


def bstr(s: str) -> bytes:
    """A str for C (UTF-8; NUL refused, as C would cut the string there)."""
    b = s.encode("utf-8", "surrogateescape")
    if b"\0" in b:
        raise ValueError("string contains a NUL character")
    return b


def status_name(status: int) -> str:
    name = lib.ossio_status_name(status)
    return cstr(name) if name != ffi.NULL else f"OSSIO_STATUS_{status}"


class Outcome:
    """A copy of an ossio_result (valid after the callback returned)."""

    __slots__ = (
        "status",
        "http_status",
        "protocol",
        "detail",
        "code",
        "message",
        "request_id",
        "host_id",
        "ec",
        "retries",
        "checksum",
    )

    def __init__(self, res: Any) -> None:
        self.status = int(res.status)
        self.http_status = int(res.http_status)
        self.protocol = cstr(res.protocol)
        self.detail = cstr(res.detail)
        self.code = cstr(res.code)
        self.message = cstr(res.message)
        self.request_id = cstr(res.request_id)
        self.host_id = cstr(res.host_id)
        self.ec = cstr(res.ec)
        self.retries = int(res.retries)
        self.checksum = cstr(res.checksum)

    @property
    def ok(self) -> bool:
        return self.status == lib.OSSIO_OK


def make_error(
    status: int, uri: Optional[str] = None, outcome: Optional[Outcome] = None, detail: str = ""
) -> OssioError:
    """The exception for |status|, with what the outcome (if any) carries."""
    code = status_name(status)
    text = cstr(lib.ossio_strerror(status)) or code
    if outcome is not None:
        detail = outcome.detail or detail
    message = (outcome.message if outcome is not None else None) or detail or text
    cls = error_class(status, code)
    return cls(
        message,
        status=status,
        code=code,
        request_id=outcome.request_id if outcome else None,
        http_status=outcome.http_status if outcome else 0,
        server_code=outcome.code if outcome else None,
        host_id=outcome.host_id if outcome else None,
        ec=outcome.ec if outcome else None,
        uri=uri,
        detail=detail or None,
        checksum=outcome.checksum if outcome else None,
    )


def check(status: int, uri: Optional[str] = None, detail: str = "") -> None:
    """Raises for a synchronous ossio_status other than OSSIO_OK."""
    if status != lib.OSSIO_OK:
        raise make_error(status, uri, detail=detail)


class Pending:
    """One submitted C operation: its handle (kept alive while C may call
    back), its outcome once done, and an exception a callback caught."""

    __slots__ = ("handle", "outcome", "done", "error", "engine", "__weakref__")

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.handle = ffi.new_handle(self)
        self.outcome: Optional[Outcome] = None
        self.done = False
        self.error: Optional[BaseException] = None

    def raise_if_failed(self, uri: Optional[str] = None) -> None:
        """Raises what a callback caught, else the failure of the outcome."""
        if self.error is not None:
            raise self.error
        assert self.outcome is not None
        if not self.outcome.ok:
            raise make_error(self.outcome.status, uri, self.outcome)

    def finish(self, res: Any) -> None:
        self.outcome = Outcome(res)
        self.done = True
        self.engine.settle(self)
        self.handle = None  # C calls back no more: break the cycle with the handle


# ---- completions called from C (inside the loop, with the GIL taken) ----


@ffi.def_extern()
def pyo_on_op_done(op: Any, res: Any, ud: Any) -> None:
    p = ffi.from_handle(ud)
    try:
        p.on_done(op, res)
    except BaseException as e:  # never into C; raised where it is waited for
        p.error = e
    p.finish(res)


@ffi.def_extern(error=1)
def pyo_on_entry(op: Any, entry: Any, ud: Any) -> int:
    p = ffi.from_handle(ud)
    try:
        return p.on_entry(entry)
    except BaseException as e:
        p.error = e
        return 1


@ffi.def_extern()
def pyo_on_transfer_done(t: Any, res: Any, ud: Any) -> None:
    p = ffi.from_handle(ud)
    try:
        p.on_done(t, res)
    except BaseException as e:
        p.error = e
    p.finish(res)


@ffi.def_extern()
def pyo_on_plan_done(plan: Any, res: Any, ud: Any) -> None:
    p = ffi.from_handle(ud)
    try:
        p.on_done(plan, res)
    except BaseException as e:
        p.error = e
    finally:
        if plan != ffi.NULL:
            lib.ossio_split_plan_free(plan)
    p.finish(res)


@ffi.def_extern(error=1)
def pyo_on_records(split: Any, records: Any, n: int, ud: Any) -> int:
    p = ffi.from_handle(ud)
    try:
        return p.on_records(records, n)
    except BaseException as e:
        p.error = e
        return 1


@ffi.def_extern()
def pyo_on_split_done(r: Any, res: Any, ud: Any) -> None:
    p = ffi.from_handle(ud)
    try:
        p.on_done(r, res)
    except BaseException as e:
        p.error = e
    p.finish(res)


_LEVELS = {0: logging.ERROR, 1: logging.WARNING, 2: logging.INFO, 3: logging.DEBUG}


@ffi.def_extern()
def pyo_on_log(level: int, msg: Any, ud: Any) -> None:
    try:
        _log.log(_LEVELS.get(int(level), logging.DEBUG), "%s", cstr(msg))
    except Exception:  # a broken handler must not reach C
        pass
