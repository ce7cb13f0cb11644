"""ossio.Client: objects in and out of Aliyun OSS and S3-compatible stores."""

from __future__ import annotations

import io
import logging
import os
from collections import deque
from typing import (
    Any,
    Deque,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Union,
    overload,
)

from . import splits as _splits
from ._core import Pending, bstr, check, cstr, ffi, lib, make_error
from ._engine import Engine
from .file import ObjectFile
from .types import Entry, ObjectInfo, Split

try:
    from typing import Literal
except ImportError:  # pragma: no cover
    from typing_extensions import Literal  # type: ignore

PathLike = Union[str, "os.PathLike[str]"]
Value = Union[str, int, bool, "os.PathLike[str]", None]

# Keyword arguments of Client and the fs.oss.* key each one sets.
KEYWORDS = {
    "endpoint": "fs.oss.endpoint",
    "access_key_id": "fs.oss.accessKeyId",
    "access_key_secret": "fs.oss.accessKeySecret",
    "security_token": "fs.oss.securityToken",
    "region": "fs.oss.region",
    "signature_version": "fs.oss.signature.version",
    "dialect": "fs.oss.dialect",
    "path_style": "fs.oss.path.style.access",
    "ca_file": "fs.oss.connection.ca.file",
    "http2": "fs.oss.http2.enabled",
    "max_connections": "fs.oss.connection.maximum",
    "memory_limit": "fs.oss.memory.limit",
    "resolve": "fs.oss.connection.resolve",
    "attempts": "fs.oss.attempts.maximum",
}

_LOG_LEVELS = ((logging.DEBUG, 3), (logging.INFO, 2), (logging.WARNING, 1), (logging.ERROR, 0))


def _text(value: Value) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if isinstance(value, str):
        return value
    raise TypeError(f"a setting must be str, int, bool or a path, not {type(value).__name__}")


def _load_file(cfg: Any, path: PathLike) -> None:
    name = os.fspath(path)
    low = name.lower()
    if low.endswith(".xml"):
        hadoop = True
    elif low.endswith((".yaml", ".yml")):
        hadoop = False
    else:  # sniff: core-site.xml starts with '<'
        with open(name, "rb") as f:
            hadoop = f.read(64).lstrip().startswith(b"<")
    load = lib.ossio_config_load_hadoop if hadoop else lib.ossio_config_load_flink
    st = load(cfg, bstr(name))
    check(st, name, cstr(lib.ossio_config_error(cfg)) or "")


class _Call(Pending):
    """A submitted operation or transfer and what its completion reports."""

    __slots__ = ("ptr", "keep", "info", "entries", "size", "bytes", "memory_peak")

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.ptr: Any = ffi.NULL
        self.keep: List[Any] = []  # buffers C borrows until completion
        self.info: Any = None
        self.entries: Deque[Entry] = deque()
        self.size = 0
        self.bytes = 0
        self.memory_peak = 0

    def on_done(self, obj: Any, res: Any) -> None:
        self.ptr = ffi.NULL

    def on_entry(self, e: Any) -> int:
        raise NotImplementedError


class _Head(_Call):
    __slots__ = ()

    def on_done(self, op: Any, res: Any) -> None:
        o = lib.ossio_op_object(op)
        if o != ffi.NULL:
            self.info = (
                int(o.size),
                cstr(o.etag),
                cstr(o.last_modified),
                cstr(o.content_type),
                int(o.crc64) if o.has_crc64 else None,
            )
        self.ptr = ffi.NULL


class _List(_Call):
    __slots__ = ("base",)

    def on_entry(self, e: Any) -> int:
        key = cstr(e.key) or ""
        self.entries.append(
            Entry(
                uri=self.base + key,
                key=key,
                size=int(e.size),
                etag=cstr(e.etag),
                last_modified=cstr(e.last_modified),
                is_prefix=bool(e.is_prefix),
                crc64=int(e.crc64) if e.has_crc64 else None,
            )
        )
        return 0


class _Transfer(_Call):
    __slots__ = ()

    def on_done(self, t: Any, res: Any) -> None:
        self.size = int(lib.ossio_transfer_size(t))
        self.bytes = int(lib.ossio_transfer_bytes(t))
        self.memory_peak = int(lib.ossio_transfer_memory_peak(t))
        self.ptr = ffi.NULL


def _base_of(uri: str) -> str:
    """"oss://bucket/" of "oss://bucket/any/key"."""
    scheme, sep, rest = uri.partition("://")
    return f"{scheme}{sep}{rest.split('/', 1)[0]}/"


class Client:
    """A client of one object store: its settings, connections and memory
    budget, on a libev loop of its own.

    Settings use Hadoop's and Flink's ``fs.oss.*`` names
    (docs/configuration.md), from lowest to highest precedence: ``config``
    files, the environment (``OSS_ACCESS_KEY_ID``, ``OSS_ENDPOINT``, …),
    ``settings``, then the keyword arguments::

        Client(config="core-site.xml")               # Hadoop
        Client(config="flink-conf.yaml")             # Flink (also config.yaml)
        Client(endpoint="oss-cn-hangzhou.aliyuncs.com",
               access_key_id="…", access_key_secret="…")
        Client(settings={"fs.oss.multipart.download.size": "16M"})
        Client()                                     # Flink's discovery + environment

    With no ``config`` and ``env`` true, the configuration is found as
    Flink finds it ($FLINK_CONF_DIR, $HADOOP_CONF_DIR) and the environment
    is read; ``env=False`` reads neither. Keywords: ``endpoint``,
    ``access_key_id``, ``access_key_secret``, ``security_token``,
    ``region``, ``signature_version`` (``"v1"``/``"v4"``), ``dialect``
    (``"oss"``/``"s3"``), ``path_style``, ``ca_file``, ``http2``,
    ``max_connections``, ``memory_limit`` (bytes or ``"256M"``),
    ``resolve`` (``"host:port:addr"`` pins) and ``attempts``.

    **Threads and processes.** A client is not thread-safe: use one per
    thread (e.g. in a ``threading.local``) or per process; a call from a
    second thread while one runs raises RuntimeError. A client does not
    survive ``fork()``: create it in the process that uses it. While a
    call waits on the network the GIL is released, so clients in other
    threads run in parallel.

    The library's log goes to the ``logging`` logger ``"ossio"`` at the
    level that logger has when the client is created; secrets are never
    logged. Close the client (or use ``with``) to close its connections.
    """

    def __init__(
        self,
        config: Union[PathLike, Sequence[PathLike], None] = None,
        *,
        settings: Optional[Mapping[str, Value]] = None,
        env: bool = True,
        endpoint: Optional[str] = None,
        access_key_id: Optional[str] = None,
        access_key_secret: Optional[str] = None,
        security_token: Optional[str] = None,
        region: Optional[str] = None,
        signature_version: Optional[str] = None,
        dialect: Optional[str] = None,
        path_style: Optional[bool] = None,
        ca_file: Optional[PathLike] = None,
        http2: Optional[bool] = None,
        max_connections: Optional[int] = None,
        memory_limit: Union[int, str, None] = None,
        resolve: Optional[str] = None,
        attempts: Optional[int] = None,
    ) -> None:
        self._engine: Optional[Engine] = None
        keywords = {
            "endpoint": endpoint,
            "access_key_id": access_key_id,
            "access_key_secret": access_key_secret,
            "security_token": security_token,
            "region": region,
            "signature_version": signature_version,
            "dialect": dialect,
            "path_style": path_style,
            "ca_file": ca_file,
            "http2": http2,
            "max_connections": max_connections,
            "memory_limit": memory_limit,
            "resolve": resolve,
            "attempts": attempts,
        }
        cfg = lib.ossio_config_new()
        if cfg == ffi.NULL:
            raise MemoryError("ossio_config_new")
        try:
            self._configure(cfg, config, settings, env, keywords)
            logger = logging.getLogger("ossio")
            level = next((c for py, c in _LOG_LEVELS if logger.isEnabledFor(py)), -1)
            self._engine = Engine(cfg, level)
        finally:
            lib.ossio_config_free(cfg)

    @staticmethod
    def _configure(
        cfg: Any,
        config: Union[PathLike, Sequence[PathLike], None],
        settings: Optional[Mapping[str, Value]],
        env: bool,
        keywords: Mapping[str, Value],
    ) -> None:
        if config is None:
            if env:
                check(lib.ossio_config_load_defaults(cfg), None, cstr(lib.ossio_config_error(cfg)) or "")
        else:
            files = [config] if isinstance(config, (str, os.PathLike)) else list(config)
            for f in files:
                _load_file(cfg, f)
            if env:
                check(lib.ossio_config_load_env(cfg))
        items = list((settings or {}).items())
        items += [(KEYWORDS[k], v) for k, v in keywords.items() if v is not None]
        for key, value in items:
            text = _text(value)
            st = lib.ossio_config_set(cfg, bstr(key), bstr(text) if text is not None else ffi.NULL)
            check(st, None, cstr(lib.ossio_config_error(cfg)) or "")

    # ---- lifetime ----

    @property
    def _e(self) -> Engine:
        e = self._engine
        if e is None or e.closed:
            raise ValueError("I/O operation on a closed ossio.Client")
        return e

    @property
    def closed(self) -> bool:
        return self._engine is None or self._engine.closed

    def close(self) -> None:
        """Cancels what is still in flight and closes the connections.
        Files and generators of this client fail afterwards. Idempotent."""
        if self._engine is not None:
            self._engine.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # No __del__: the Engine closes itself when the last of the client, its
    # files and its generators is gone (a file outlives a dropped Client).

    def __reduce__(self) -> Any:
        raise TypeError(
            "an ossio.Client cannot be pickled (it holds connections and credentials): "
            "create one in each process from the same settings"
        )

    # ---- metadata and listing ----

    def stat(self, uri: str) -> ObjectInfo:
        """Metadata of the object ``uri`` (one HEAD). NotFoundError if absent."""
        e = self._e
        op = e.op_new(lib.OSSIO_OP_HEAD, uri, bstr(uri))
        p = self._submit_op(_Head(e), op)
        p.raise_if_failed(uri)
        size, etag, modified, ctype, crc = p.info
        return ObjectInfo(uri, size, etag, modified, ctype, crc)

    def ls(self, uri: str, recursive: bool = False) -> Iterator[Entry]:
        """Objects and common prefixes whose keys start with ``uri``'s key,
        as the listing pages stream in (``oss://bucket/dir/`` for a
        "directory"). Without ``recursive`` the delimiter "/" groups deeper
        keys into prefix entries (``is_prefix``); with it, every object
        under the prefix. Errors are raised while iterating."""
        return self._iter_list(self._e, uri, recursive)

    @staticmethod
    def _iter_list(e: Engine, uri: str, recursive: bool) -> Iterator[Entry]:
        # Created on the first next(): an iterator never started holds nothing.
        op = e.op_new(lib.OSSIO_OP_LIST, uri, bstr(uri))
        p = _List(e)
        p.base = _base_of(uri)
        if not recursive:
            lib.ossio_op_set_list(op, b"/", 0, ffi.NULL)
        e.track(p)
        p.ptr = op
        lib.ossio_op_set_callbacks(op, ffi.NULL, lib.pyo_on_entry, p.handle)
        lib.ossio_op_submit(op, lib.pyo_on_op_done, p.handle)
        try:
            while True:
                while p.entries:
                    yield p.entries.popleft()
                if p.done:
                    break
                e.wait(lambda: p.entries or p.done)
            p.raise_if_failed()
        finally:
            e.abandon(p, lambda: lib.ossio_op_cancel(p.ptr))

    def delete(self, uri: str) -> None:
        """Deletes the object ``uri`` (deleting an absent object succeeds, as on OSS)."""
        e = self._e
        op = e.op_new(lib.OSSIO_OP_DELETE, uri, bstr(uri))
        self._submit_op(_Call(e), op).raise_if_failed(uri)

    # ---- whole objects ----

    def get(self, uri: str, path: PathLike) -> int:
        """Downloads ``uri`` to the file ``path`` in parallel ranged GETs,
        CRC-64 checked; written to a temporary file renamed over ``path``
        on success only. Returns the object's size."""
        e = self._e
        t = self._transfer(e, uri, download=True)
        st = lib.ossio_transfer_to_file(t, bstr(os.fspath(path)))
        return self._run_transfer(e, t, st, uri, _Transfer(e)).size

    def get_into(self, uri: str, buffer: Any) -> int:
        """Downloads ``uri`` into ``buffer`` (any writable, contiguous
        buffer: bytearray, memoryview, mmap, numpy array) in parallel ranged
        GETs written in place; returns the object's size. An object larger
        than the buffer raises (code OSSIO_EBODYSIZE)."""
        e = self._e
        p = _Transfer(e)
        cbuf = ffi.from_buffer(buffer, require_writable=True)
        p.keep.append(cbuf)
        t = self._transfer(e, uri, download=True)
        st = lib.ossio_transfer_to_buffer(t, cbuf, len(cbuf))
        return self._run_transfer(e, t, st, uri, p).size

    def get_bytes(self, uri: str) -> bytearray:
        """The whole object ``uri`` in memory, as a **bytearray** (a mutable
        bytes-like object; ``bytes(b)`` would copy it). The buffer is
        allocated once at the object's size (from a HEAD) and the parallel
        GETs write into it: a 1 GiB object holds 1 GiB plus the parts in
        flight, never a second copy. If the object grows between the HEAD
        and the GETs the read starts over (up to 3 times)."""
        for _ in range(3):
            size = self.stat(uri).size
            buf = bytearray(size)
            try:
                n = self.get_into(uri, buf)
            except Exception as err:
                if getattr(err, "status", 0) == lib.OSSIO_EBODYSIZE:
                    continue  # it grew: start over with the new size
                raise
            del buf[n:]  # it shrank: trim in place
            return buf
        raise make_error(lib.OSSIO_EBODYSIZE, uri, detail="the object kept changing size")

    def put(
        self,
        path: PathLike,
        uri: str,
        *,
        content_type: Optional[str] = None,
        metadata: Optional[Mapping[str, str]] = None,
        overwrite: bool = True,
    ) -> int:
        """Uploads the file ``path`` to ``uri``: one PutObject, or a
        multipart upload in parallel parts beyond
        fs.oss.multipart.upload.threshold (aborted on failure, so no part
        is left behind). ``metadata`` becomes x-oss-meta-* headers;
        ``overwrite=False`` fails with ExistsError if the object exists.
        Returns the bytes sent."""
        e = self._e
        p = _Transfer(e)
        t = self._transfer(e, uri, download=False)
        st = lib.ossio_transfer_from_file(t, bstr(os.fspath(path)))
        st = self._upload_headers(t, st, content_type, metadata, overwrite)
        return self._run_transfer(e, t, st, uri, p).bytes

    def put_bytes(
        self,
        data: Any,
        uri: str,
        *,
        content_type: Optional[str] = None,
        metadata: Optional[Mapping[str, str]] = None,
        overwrite: bool = True,
    ) -> int:
        """Uploads ``data`` (bytes or any contiguous buffer; read in place,
        not copied) to ``uri``, as :meth:`put`. Returns the bytes sent."""
        e = self._e
        p = _Transfer(e)
        cbuf = ffi.from_buffer(data)
        p.keep.append(cbuf)
        t = self._transfer(e, uri, download=False)
        st = lib.ossio_transfer_from_buffer(t, cbuf, len(cbuf))
        st = self._upload_headers(t, st, content_type, metadata, overwrite)
        return self._run_transfer(e, t, st, uri, p).bytes

    # ---- streaming ----

    @overload
    def open(
        self,
        uri: str,
        mode: Literal["rb"] = "rb",
        *,
        block_size: int = ...,
        read_ahead: int = ...,
    ) -> ObjectFile: ...

    @overload
    def open(
        self,
        uri: str,
        mode: Literal["r"],
        *,
        block_size: int = ...,
        read_ahead: int = ...,
        encoding: Optional[str] = ...,
        errors: Optional[str] = ...,
        newline: Optional[str] = ...,
    ) -> io.TextIOWrapper: ...

    def open(
        self,
        uri: str,
        mode: str = "rb",
        *,
        block_size: int = 4 << 20,
        read_ahead: int = 4,
        encoding: Optional[str] = None,
        errors: Optional[str] = None,
        newline: Optional[str] = None,
    ) -> Union[ObjectFile, io.TextIOWrapper]:
        """Opens ``uri`` for reading: ``"rb"`` gives a seekable binary file
        (:class:`ossio.ObjectFile`, an io.BufferedIOBase) that fetches
        ``block_size`` ranged GETs, up to ``read_ahead`` of them in flight
        ahead of the position; ``"r"`` wraps it in io.TextIOWrapper. One
        HEAD at open (NotFoundError here), then If-Match on every GET."""
        if mode not in ("rb", "r"):
            raise ValueError(f"mode must be 'rb' or 'r', not {mode!r}")
        f = ObjectFile(self._e, self.stat(uri), block_size, read_ahead)
        if mode == "r":
            return io.TextIOWrapper(f, encoding=encoding, errors=errors, newline=newline)
        return f

    def splits(self, uri: str, parallelism: int = 1) -> List[Split]:
        """The input splits of ``uri`` (an object, or every object directly
        under ``oss://bucket/dir/``; names starting with "_" or "." skipped)
        as Flink's FileInputFormat cuts them into at least ``parallelism``
        splits with fs.oss.block.size. Splits pickle, so each can be read
        in another process (:meth:`read_split`)."""
        if parallelism < 1:
            raise ValueError("parallelism must be >= 1")
        return _splits.plan(self._e, uri, parallelism)

    def read_split(
        self,
        split: Split,
        *,
        delimiter: bytes = b"\n",
        max_record: Optional[int] = None,
        encoding: Optional[str] = None,
        errors: str = "strict",
    ) -> Iterator[Any]:
        """The records of ``split`` in file order, with Flink's ownership:
        a split not at offset 0 skips its first partial record and every
        split reads past its end to finish its last one, so the records of
        all splits of a plan are the object's records, each exactly once.
        Records are ``bytes`` without the delimiter (with "\\n", a trailing
        "\\r" is dropped too), or ``str`` with ``encoding``. Compressed
        objects (.gz, .deflate) are inflated. ``max_record`` bounds a record
        (RecordTooLongError; default fs.oss.split.record.maximum). The
        network runs only while the generator is asked for more."""
        if not isinstance(split, Split):
            raise TypeError("split must be an ossio.Split from Client.splits()")
        delim = bytes(delimiter)
        if not 1 <= len(delim) <= 16:
            raise ValueError("delimiter must be 1..16 bytes")
        if max_record is not None and max_record < 1:
            raise ValueError("max_record must be >= 1")
        return _splits.read(self._e, split, delim, max_record, encoding, errors)

    # ---- counters ----

    def stats(self) -> dict:
        """The client's counters: connections opened, requests done, body
        bytes received, and the most bytes transfers held in memory at once
        (fs.oss.memory.limit bounds it)."""
        e = self._e
        return {
            "connections_opened": e.stat(lib.OSSIO_STAT_CONNECTIONS_OPENED),
            "requests_done": e.stat(lib.OSSIO_STAT_REQUESTS_DONE),
            "bytes_received": e.stat(lib.OSSIO_STAT_BYTES_RECEIVED),
            "memory_peak": e.stat(lib.OSSIO_STAT_MEMORY_PEAK),
        }

    # ---- plumbing ----

    @staticmethod
    def _submit_op(p: _Call, op: Any) -> _Call:
        e = p.engine
        e.track(p)
        p.ptr = op
        lib.ossio_op_set_callbacks(op, ffi.NULL, ffi.NULL, ffi.NULL)
        lib.ossio_op_submit(op, lib.pyo_on_op_done, p.handle)
        e.finish(p, lambda: lib.ossio_op_cancel(p.ptr))
        return p

    @staticmethod
    def _transfer(e: Engine, uri: str, download: bool) -> Any:
        out = ffi.new("ossio_transfer **")
        new = lib.ossio_download_new if download else lib.ossio_upload_new
        st = new(out, e.cl, bstr(uri))
        if st != lib.OSSIO_OK:
            raise make_error(st, uri, detail=cstr(lib.ossio_client_error(e.cl)) or "")
        return out[0]

    @staticmethod
    def _upload_headers(
        t: Any,
        st: int,
        content_type: Optional[str],
        metadata: Optional[Mapping[str, str]],
        overwrite: bool,
    ) -> int:
        headers = []
        if content_type is not None:
            headers.append(("Content-Type", content_type))
        for k, v in (metadata or {}).items():
            headers.append((f"x-oss-meta-{k}", v))
        if not overwrite:
            headers.append(("x-oss-forbid-overwrite", "true"))
        for name, value in headers:
            if st != lib.OSSIO_OK:
                break
            st = lib.ossio_transfer_set_header(t, bstr(name), bstr(value))
        return st

    @staticmethod
    def _run_transfer(e: Engine, t: Any, st: int, uri: str, p: _Transfer) -> _Transfer:
        if st != lib.OSSIO_OK:
            lib.ossio_transfer_free(t)
            raise make_error(st, uri)
        e.track(p)
        p.ptr = t
        lib.ossio_transfer_submit(t, lib.pyo_on_transfer_done, p.handle)
        e.finish(p, lambda: lib.ossio_transfer_cancel(p.ptr))
        p.raise_if_failed(uri)
        return p

