"""Flink's readTextFile over objects: split planning (FileInputFormat's
rules) and reading one split's records with DelimitedInputFormat's
ownership, through the library's planner and split reader."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, Deque, Iterator, List, Optional, Union

from ._core import Pending, bstr, cstr, ffi, lib, make_error
from .types import Split

if TYPE_CHECKING:
    from ._engine import Engine


class _Plan(Pending):
    __slots__ = ("splits",)

    def __init__(self, engine: "Engine") -> None:
        super().__init__(engine)
        self.splits: List[Split] = []

    def on_done(self, plan: Any, res: Any) -> None:
        if plan == ffi.NULL:
            return
        for i in range(lib.ossio_split_plan_count(plan)):
            sp = lib.ossio_split_plan_get(plan, i)
            self.splits.append(
                Split(
                    index=int(sp.index),
                    uri=cstr(sp.uri) or "",
                    start=int(sp.start),
                    length=int(sp.length),
                    object_size=int(sp.object_size),
                    etag=cstr(sp.etag),
                    unsplittable=bool(sp.unsplittable),
                )
            )


def plan(engine: "Engine", uri: str, parallelism: int) -> List[Split]:
    p = _Plan(engine)
    engine.track(p)
    st = lib.ossio_splits_plan(engine.cl, bstr(uri), parallelism, lib.pyo_on_plan_done, p.handle)
    if st != lib.OSSIO_OK:
        engine.settle(p)
        raise make_error(st, uri, detail=cstr(lib.ossio_client_error(engine.cl)) or "")
    engine.finish(p, cancel=lambda: None)  # a plan has no cancel; it is short
    p.raise_if_failed(uri)
    return p.splits


class _SplitRead(Pending):
    __slots__ = ("queue", "reader", "records", "bytes")

    def __init__(self, engine: "Engine") -> None:
        super().__init__(engine)
        self.queue: Deque[List[bytes]] = deque()
        self.reader: Any = ffi.NULL
        self.records = 0
        self.bytes = 0

    def on_records(self, records: Any, n: int) -> int:
        buf = ffi.buffer
        self.queue.append([buf(r.data, r.len)[:] for r in records[0:n]])
        return 0

    def on_done(self, r: Any, res: Any) -> None:
        self.records = int(lib.ossio_split_reader_records(r))
        self.bytes = int(lib.ossio_split_reader_bytes(r))
        self.reader = ffi.NULL

    def cancel(self) -> None:
        if not self.done and self.reader != ffi.NULL:
            lib.ossio_split_reader_cancel(self.reader)


def read(
    engine: "Engine",
    split: Split,
    delimiter: bytes,
    max_record: Optional[int],
    encoding: Optional[str],
    errors: str,
) -> Iterator[Union[bytes, str]]:
    """The generator behind :meth:`ossio.Client.read_split`."""
    cs = ffi.new("ossio_split *")
    uri_c = ffi.new("char[]", bstr(split.uri))
    etag_c = ffi.new("char[]", bstr(split.etag)) if split.etag else ffi.NULL
    cs.index = split.index
    cs.uri = uri_c
    cs.start = split.start
    cs.length = split.length
    cs.object_size = split.object_size
    cs.etag = etag_c
    cs.unsplittable = 1 if split.unsplittable else 0
    p = _SplitRead(engine)
    if engine.closed:
        raise ValueError("I/O operation on a closed ossio.Client")
    out = ffi.new("ossio_split_reader **")
    st = lib.ossio_split_reader_new(out, engine.cl, cs)  # copies the split
    if st != lib.OSSIO_OK:
        raise make_error(st, split.uri, detail=cstr(lib.ossio_client_error(engine.cl)) or "")
    reader = out[0]
    st = lib.ossio_split_reader_set_delimiter(reader, delimiter, len(delimiter))
    if st == lib.OSSIO_OK and max_record is not None:
        st = lib.ossio_split_reader_set_max_record(reader, max_record)
    if st != lib.OSSIO_OK:
        lib.ossio_split_reader_free(reader)
        raise make_error(st, split.uri)
    lib.ossio_split_reader_set_callbacks(reader, lib.pyo_on_records, p.handle)
    engine.track(p)
    p.reader = reader
    lib.ossio_split_reader_submit(reader, lib.pyo_on_split_done, p.handle)
    try:
        while True:
            while p.queue:
                batch = p.queue.popleft()
                if encoding is None:
                    yield from batch
                else:
                    for rec in batch:
                        yield rec.decode(encoding, errors)
            if p.done:
                break
            engine.wait(lambda: p.queue or p.done)
        p.raise_if_failed(split.uri)
    finally:
        engine.abandon(p, p.cancel)
