"""ossio: parallel transfers to Aliyun OSS and S3-compatible stores, from Python.

A binding of the ossio C library (cffi, API mode). One :class:`Client` holds
the connections, settings and memory budget; its calls block the calling
thread but release the GIL while the network works::

    import ossio

    with ossio.Client(config="core-site.xml") as oss:
        for e in oss.ls("oss://bucket/logs/"):
            print(e.uri, e.size)
        data = oss.get_bytes("oss://bucket/logs/a.txt")      # bytearray
        oss.put_bytes(b"hello", "oss://bucket/tmp/hello.txt")
        with oss.open("oss://bucket/big.bin") as f:          # seekable, read-ahead
            f.seek(1 << 30)
            head = f.read(4096)
        n = sum(1 for split in oss.splits("oss://bucket/logs/", 8)
                  for _ in oss.read_split(split))            # Flink's readTextFile

Errors are :class:`OssioError` subclasses (``ossio.errors``) carrying the
status code name, the server's message and the request id. docs/python.md
has the whole story.
"""

from ._core import cstr as _cstr
from ._core import lib as _lib
from .client import KEYWORDS, Client
from .errors import (
    AccessDeniedError,
    CanceledError,
    ChangedError,
    ChecksumError,
    ConfigError,
    ExistsError,
    IntegrityError,
    InvalidURIError,
    LocalIOError,
    NetworkError,
    NotFoundError,
    OssioError,
    OutOfMemoryError,
    RecordTooLongError,
    ServerError,
    SignatureError,
    ThrottledError,
    TimeoutError,
    TLSError,
)
from .file import ObjectFile
from .types import Entry, ObjectInfo, Split

__version__ = "0.1.0"


def library_version() -> str:
    """The version of the ossio C library loaded (e.g. "0.1.0")."""
    return _cstr(_lib.ossio_version()) or ""


__all__ = [
    "Client",
    "KEYWORDS",
    "ObjectFile",
    "ObjectInfo",
    "Entry",
    "Split",
    "library_version",
    "OssioError",
    "ConfigError",
    "InvalidURIError",
    "NotFoundError",
    "AccessDeniedError",
    "SignatureError",
    "ExistsError",
    "NetworkError",
    "TLSError",
    "TimeoutError",
    "ServerError",
    "ThrottledError",
    "IntegrityError",
    "ChecksumError",
    "ChangedError",
    "LocalIOError",
    "RecordTooLongError",
    "CanceledError",
    "OutOfMemoryError",
]
