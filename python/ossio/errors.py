"""Exceptions raised by the ossio binding: one class per kind of failure.

Every exception is an :class:`OssioError` and carries what the library and
the server said: ``code`` (the ``ossio_status`` name, e.g.
``"OSSIO_ENOTFOUND"``), ``status`` (its negative number), ``message`` (the
server's Message, else ossio's detail, else the status text), ``request_id``,
``http_status``, ``server_code`` (the server's Code, e.g. ``"NoSuchKey"``),
``host_id``, ``ec``, ``uri`` and ``checksum`` (for a :class:`ChecksumError`,
the checksum that differed: ``"crc64"``, ``"crc32c"``, ``"crc32"`` or
``"md5"``). Where Python has a matching built-in
exception the class derives from it as well, so ``except FileNotFoundError``
and ``except PermissionError`` work as they do for local files. Secrets never
appear in any of these fields.
"""

from __future__ import annotations

import builtins
from typing import Optional


class OssioError(Exception):
    """A failed ossio call or operation."""

    status: int
    code: str
    message: str
    request_id: Optional[str]
    http_status: int
    server_code: Optional[str]
    host_id: Optional[str]
    ec: Optional[str]
    uri: Optional[str]
    detail: Optional[str]
    checksum: Optional[str]

    def __init__(
        self,
        message: str,
        *,
        status: int = 0,
        code: str = "",
        request_id: Optional[str] = None,
        http_status: int = 0,
        server_code: Optional[str] = None,
        host_id: Optional[str] = None,
        ec: Optional[str] = None,
        uri: Optional[str] = None,
        detail: Optional[str] = None,
        checksum: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.http_status = http_status
        self.server_code = server_code
        self.host_id = host_id
        self.ec = ec
        self.uri = uri
        self.detail = detail
        self.checksum = checksum

    def __str__(self) -> str:
        parts = []
        if self.uri:
            parts.append(f"{self.uri}:")
        parts.append(f"{self.code}:" if self.code else "")
        if self.server_code:
            parts.append(f"{self.server_code}:")
        parts.append(self.message)
        extra = []
        if self.http_status:
            extra.append(f"HTTP {self.http_status}")
        if self.request_id:
            extra.append(f"request id {self.request_id}")
        text = " ".join(p for p in parts if p)
        return f"{text} ({', '.join(extra)})" if extra else text


class ConfigError(OssioError, ValueError):
    """A configuration value is missing or invalid (fs.oss.* keys, files)."""


class InvalidURIError(ConfigError):
    """The URI is malformed, has an unknown scheme, or names an invalid bucket or key."""


class NotFoundError(OssioError, FileNotFoundError):
    """The bucket, object or upload does not exist (404)."""


class AccessDeniedError(OssioError, PermissionError):
    """The server refused the request (403): wrong credentials or no permission."""


class SignatureError(AccessDeniedError):
    """The server rejected the request signature (wrong secret, clock skew)."""


class ExistsError(OssioError, FileExistsError):
    """The object already exists (409, or a failed precondition)."""


class NetworkError(OssioError, ConnectionError):
    """DNS, TCP, TLS or HTTP failed before a complete answer arrived."""


class TLSError(NetworkError):
    """TLS handshake or certificate verification failed."""


class TimeoutError(NetworkError, builtins.TimeoutError):  # noqa: A001 (as asyncio.TimeoutError)
    """A connect, read, low-speed or deadline bound was exceeded."""


class ServerError(OssioError):
    """The server answered with an error status (5xx, or one without its own class)."""


class ThrottledError(ServerError):
    """The server is throttling requests (503 SlowDown, 429)."""


class IntegrityError(OssioError):
    """The data does not match: checksum mismatch (CRC-64, CRC32C, CRC32, MD5), or the object changed while read."""


class ChecksumError(IntegrityError):
    """The data's CRC-64 does not match the server's."""


class ChangedError(IntegrityError):
    """The object changed while it was being read (ETag mismatch)."""


class LocalIOError(OssioError, OSError):
    """A local file read or write failed."""


class RecordTooLongError(OssioError, ValueError):
    """A record is longer than the maximum record size."""


class CanceledError(OssioError):
    """The operation was canceled."""


class OutOfMemoryError(OssioError, MemoryError):
    """Out of memory, or the memory budget is exhausted."""


# ossio_status name -> class; anything else falls back by the code's layer.
_BY_CODE = {
    "OSSIO_ENOMEM": OutOfMemoryError,
    "OSSIO_ECANCELED": CanceledError,
    "OSSIO_EBADURI": InvalidURIError,
    "OSSIO_ESCHEME": InvalidURIError,
    "OSSIO_EBADBUCKET": InvalidURIError,
    "OSSIO_EKEYTOOLONG": InvalidURIError,
    "OSSIO_EDNSTIMEOUT": TimeoutError,
    "OSSIO_ECONNTIMEOUT": TimeoutError,
    "OSSIO_ETIMEDOUT": TimeoutError,
    "OSSIO_ESTALLED": TimeoutError,
    "OSSIO_EDEADLINE": TimeoutError,
    "OSSIO_ENOTFOUND": NotFoundError,
    "OSSIO_EACCESS": AccessDeniedError,
    "OSSIO_ESIGNATURE": SignatureError,
    "OSSIO_ETHROTTLED": ThrottledError,
    "OSSIO_EEXISTS": ExistsError,
    "OSSIO_ECHECKSUM": ChecksumError,
    "OSSIO_ECHANGED": ChangedError,
    "OSSIO_EIO": LocalIOError,
    "OSSIO_ERECORDSIZE": RecordTooLongError,
}

# Blocks of 100 per layer (include/ossio.h).
_BY_LAYER = {
    1: ConfigError,  # -100 .. -199
    2: NetworkError,  # dns
    3: NetworkError,  # net
    4: TLSError,  # tls
    5: NetworkError,  # http protocol
    6: ServerError,  # server answers
    7: ServerError,  # xml of an answer
    8: IntegrityError,  # transfer
}


def error_class(status: int, code: str) -> type:
    """The exception class for an ossio status (its number and name)."""
    cls = _BY_CODE.get(code)
    if cls is None:
        cls = _BY_LAYER.get(-status // 100, OssioError) if status < 0 else OssioError
    return cls


__all__ = [
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
    "error_class",
]
