"""A read-only, seekable file object over one object: ranged GETs in
parallel ahead of the reader (:meth:`ossio.Client.open`).

The object is read in blocks of ``block_size`` bytes, each one ranged GET
whose body C copies straight into the block's buffer (no GIL, no Python per
byte). Up to ``read_ahead`` blocks are in flight ahead of the position.
After a seek outside them the window restarts with one block and doubles
with every block read to its end, so random reads fetch little and
sequential reads soon run ``read_ahead`` GETs at once. Memory: at most
``read_ahead`` × ``block_size`` bytes.
"""

from __future__ import annotations

import io
from collections import deque
from typing import TYPE_CHECKING, Any, Deque, List, Optional, Tuple

from ._core import Pending, bstr, ffi, lib, make_error
from .errors import ChangedError

if TYPE_CHECKING:
    from ._engine import Engine
    from .types import ObjectInfo

_SINK_DATA = ffi.addressof(lib, "pyo_sink_data")


class _Block(Pending):
    """One ranged GET into its own buffer."""

    __slots__ = ("start", "length", "buf", "cbuf", "sink", "op")

    def __init__(
        self, engine: "Engine", start: int, length: int, spare: Optional[Tuple[bytearray, Any]]
    ) -> None:
        super().__init__(engine)
        self.start = start
        self.length = length
        if spare is not None:  # a buffer of an earlier block, pages already mapped
            self.buf, self.cbuf = spare
        else:
            self.buf = bytearray(length)
            self.cbuf = ffi.from_buffer(self.buf)  # pins buf: C writes into it
        self.sink = ffi.new("pyo_sink *")
        self.sink.buf = ffi.cast("unsigned char *", self.cbuf)
        self.sink.cap = length
        self.op: Any = ffi.NULL

    @property
    def filled(self) -> int:
        return int(self.sink.len)

    def on_done(self, op: Any, res: Any) -> None:
        self.op = ffi.NULL

    def cancel(self) -> None:
        if not self.done and self.op != ffi.NULL:
            lib.ossio_op_cancel(self.op)


class ObjectFile(io.BufferedIOBase):
    """A readable, seekable binary file over an object (io.BufferedIOBase).

    Returned by :meth:`ossio.Client.open`; use it as a context manager or
    close it. ``read``, ``read1``, ``readinto``, ``peek``, ``readline``,
    ``seek`` and ``tell`` behave as for a local file opened ``"rb"``; the
    object's ETag is checked on every GET (If-Match), so an object replaced
    while it is read raises :class:`ossio.ChangedError` instead of mixing
    two versions. It belongs to its client and, like it, to one thread.
    """

    def __init__(
        self, engine: "Engine", info: "ObjectInfo", block_size: int, read_ahead: int
    ) -> None:
        super().__init__()
        if block_size < 1 or read_ahead < 1:
            raise ValueError("block_size and read_ahead must be >= 1")
        self._engine = engine
        self._info = info
        self.name = info.uri
        self._uri = bstr(info.uri)
        self._etag = bstr(info.etag) if info.etag else None
        self._size = info.size
        self._block = block_size
        self._ahead = read_ahead
        self._window = read_ahead
        self._pos = 0
        self._blocks: Deque[_Block] = deque()  # contiguous, from the one holding _pos
        self._dropped: List[_Block] = []  # canceled, not yet completed
        # Buffers of blocks done with, reused: fresh memory costs a page
        # fault per 4 KiB, as much as the transfer itself on some machines.
        self._spare: List[Tuple[bytearray, Any]] = []

    # ---- io.IOBase ----

    @property
    def size(self) -> int:
        """The object's size in bytes."""
        return self._size

    @property
    def info(self) -> "ObjectInfo":
        """The object's metadata, as read when it was opened."""
        return self._info

    @property
    def mode(self) -> str:
        return "rb"

    def readable(self) -> bool:
        self._check_open()
        return True

    def seekable(self) -> bool:
        self._check_open()
        return True

    def tell(self) -> int:
        self._check_open()
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._check_open()
        if whence == io.SEEK_SET:
            pos = offset
        elif whence == io.SEEK_CUR:
            pos = self._pos + offset
        elif whence == io.SEEK_END:
            pos = self._size + offset
        else:
            raise ValueError(f"invalid whence ({whence})")
        if pos < 0:
            raise ValueError(f"negative seek position {pos}")
        self._pos = pos
        return pos

    def close(self) -> None:
        if not self.closed:
            try:
                for b in self._blocks:
                    self._drop(b)
                self._blocks.clear()
                self._reap(wait=True)
            finally:
                super().close()

    def detach(self) -> io.RawIOBase:
        raise io.UnsupportedOperation("detach")

    # ---- reading ----

    def read(self, size: Optional[int] = -1) -> bytes:
        self._check_open()
        if size is None or size < 0:
            size = max(self._size - self._pos, 0)
        out = bytearray(min(size, max(self._size - self._pos, 0)))
        n = self.readinto(out)
        del out[n:]
        return bytes(out)

    def read1(self, size: int = -1) -> bytes:
        self._check_open()
        buf, off, end = self._span(size if size is not None and size >= 0 else self._block)
        self._pos += end - off
        with memoryview(buf) as v:
            return bytes(v[off:end])

    def readinto(self, b: Any) -> int:
        self._check_open()
        with memoryview(b) as mv, mv.cast("B") as dst:
            done = 0
            while done < len(dst):
                buf, off, end = self._span(len(dst) - done, wait_full=True)
                if end == off:
                    break
                with memoryview(buf) as src:
                    dst[done : done + end - off] = src[off:end]
                done += end - off
                self._pos += end - off
            return done

    def readinto1(self, b: Any) -> int:
        self._check_open()
        with memoryview(b) as mv, mv.cast("B") as dst:
            buf, off, end = self._span(len(dst))
            with memoryview(buf) as src:
                dst[: end - off] = src[off:end]
            self._pos += end - off
            return end - off

    def peek(self, size: int = 0) -> bytes:
        """Bytes from the position on without moving it (at least one unless
        at the end; as many as have arrived in the current block)."""
        self._check_open()
        buf, off, end = self._span(max(size, 1))
        with memoryview(buf) as v:
            return bytes(v[off:end])

    def readline(self, size: Optional[int] = -1) -> bytes:
        self._check_open()
        limit = size if size is not None and size >= 0 else None
        parts = []
        got = 0
        while limit is None or got < limit:
            buf, off, end = self._span(self._block if limit is None else limit - got)
            if end == off:
                break
            nl = buf.find(b"\n", off, end)
            take = (end if nl < 0 else nl + 1) - off
            with memoryview(buf) as v:
                parts.append(bytes(v[off : off + take]))
            got += take
            self._pos += take
            if nl >= 0:
                break
        return b"".join(parts)

    # ---- the window ----

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed file.")

    _EMPTY = bytearray()

    def _span(self, want: int, wait_full: bool = False) -> Tuple[bytearray, int, int]:
        """(buffer, first, end): up to |want| bytes at the position inside
        one block's buffer, waiting until at least one has arrived (all
        that the block holds of |want| with wait_full); first == end at EOF."""
        if want <= 0 or self._pos >= self._size:
            return self._EMPTY, 0, 0
        b = self._current()
        off = self._pos - b.start
        need = min(off + (want if wait_full else 1), b.length)
        if b.filled < need:
            self._engine.wait(lambda: b.done or b.filled >= need)
        self._reap(wait=False)
        if b.filled < need:  # completed short of it: failed
            self._fail(b)
        return b.buf, off, min(b.filled, off + want)

    def _current(self) -> _Block:
        """The block holding the position; the window behind it submitted."""
        blocks = self._blocks
        while blocks and blocks[0].start + blocks[0].length <= self._pos:
            self._release(blocks.popleft(), read_through=True)
        if blocks and blocks[0].start > self._pos:
            for b in blocks:
                self._drop(b)
            blocks.clear()
        if not blocks:
            # Started over: a seek (or the first read). Sequential from 0
            # gets the whole window at once; anything else starts small.
            self._window = self._ahead if self._pos == 0 else 1
        while len(blocks) < self._window:
            start = blocks[-1].start + blocks[-1].length if blocks else self._pos
            if start >= self._size:
                break
            blocks.append(self._submit(start, min(self._block, self._size - start)))
        return blocks[0]

    def _submit(self, start: int, length: int) -> _Block:
        spare = self._spare.pop() if self._spare and length == self._block else None
        b = _Block(self._engine, start, length, spare)
        op = self._engine.op_new(lib.OSSIO_OP_GET, self.name, self._uri)
        lib.ossio_op_set_range(op, start, length)
        if self._etag is not None:
            lib.ossio_op_set_header(op, b"If-Match", self._etag)
        lib.ossio_op_set_callbacks(op, _SINK_DATA, ffi.NULL, b.sink)
        self._engine.track(b)
        b.op = op
        lib.ossio_op_submit(op, lib.pyo_on_op_done, b.handle)
        return b

    def _release(self, b: _Block, read_through: bool) -> None:
        if not b.done:
            self._drop(b)
            return
        if read_through:
            self._window = min(self._window * 2, self._ahead)
        self._keep(b)

    def _keep(self, b: _Block) -> None:
        """Keeps a completed block's buffer for a later block (C is done with it)."""
        if len(b.buf) == self._block and len(self._spare) < self._ahead:
            self._spare.append((b.buf, b.cbuf))

    def _drop(self, b: _Block) -> None:
        """Cancels a block no longer wanted; its buffer lives until C is done with it."""
        if not b.done:
            b.cancel()
            self._dropped.append(b)
        else:
            self._keep(b)

    def _reap(self, wait: bool) -> None:
        if wait:
            for b in self._dropped:
                self._engine.abandon(b, b.cancel)
        for b in self._dropped:
            if b.done:
                self._keep(b)
        self._dropped = [b for b in self._dropped if not b.done]

    def _fail(self, b: _Block) -> None:
        if b.error is not None:
            raise b.error
        out = b.outcome
        assert out is not None
        if not out.ok:
            if out.http_status == 412:
                raise ChangedError(
                    "the object changed while it was read (ETag no longer matches)",
                    status=out.status,
                    code="OSSIO_ECHANGED",
                    request_id=out.request_id,
                    http_status=412,
                    server_code=out.code,
                    uri=self.name,
                )
            raise make_error(out.status, self.name, out)
        raise ChangedError(
            f"the object ended at {b.start + b.filled}, before its size {self._size} when opened",
            code="OSSIO_ECHANGED",
            uri=self.name,
        )

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
