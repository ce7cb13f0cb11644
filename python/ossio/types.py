"""Plain values the binding returns: object metadata, listing entries and
input splits. All are frozen dataclasses, so they compare by value, hash,
and pickle (a :class:`Split` travels to another process, e.g. a Dask worker)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class ObjectInfo:
    """Metadata of one object (:meth:`ossio.Client.stat`)."""

    uri: str
    size: int
    etag: Optional[str]
    """The ETag as the server sent it, quotes included; opaque."""
    last_modified: Optional[str]
    content_type: Optional[str]
    crc64: Optional[int]
    """x-oss-hash-crc64ecma (CRC-64/ECMA-182, the xz variant), when the server sent it."""


@dataclass(frozen=True)
class Entry:
    """One listing entry (:meth:`ossio.Client.ls`): an object, or a common
    prefix ("directory") when ``is_prefix`` (then size is 0 and etag None)."""

    uri: str
    key: str
    size: int
    etag: Optional[str]
    last_modified: Optional[str]
    is_prefix: bool
    crc64: Optional[int]


@dataclass(frozen=True)
class Split:
    """One input split: bytes [start, start + length) of one object, as Flink's
    FileInputFormat cuts them (:meth:`ossio.Client.splits`).

    A record belongs to the split in which the byte before its first byte
    lies (Flink's DelimitedInputFormat): reading every split of a plan with
    :meth:`ossio.Client.read_split` yields every record exactly once."""

    index: int
    uri: str
    start: int
    length: int
    object_size: int
    etag: Optional[str]
    """The object's ETag when the plan knew it; reads then send If-Match."""
    unsplittable: bool
    """A compressed object (.gz, .deflate): one split, inflated while read."""
