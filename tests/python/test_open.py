"""Client.open(): reads and seeks compared byte for byte with a plain
download of the same object by the ossio program."""

from __future__ import annotations

import io
import os
import random

import pytest

import ossio

BLOCK = 16 * 1024


@pytest.fixture
def blob(client, prefix, cli, tmp_path):
    """(uri, bytes of a plain download): 256 KiB + 123 bytes, 17 blocks."""
    uri = prefix + "blob.bin"
    client.put_bytes(os.urandom(256 * 1024 + 123), uri)
    cli("-q", "cp", uri, str(tmp_path / "plain.bin"))
    return uri, (tmp_path / "plain.bin").read_bytes()


def test_sequential_reads(client, blob):
    uri, plain = blob
    with client.open(uri, block_size=BLOCK, read_ahead=3) as f:
        assert isinstance(f, io.BufferedIOBase) and isinstance(f, ossio.ObjectFile)
        assert f.readable() and f.seekable() and not f.writable()
        assert f.size == len(plain) and f.name == uri and f.mode == "rb"
        first = f.read(1)
        assert first == plain[:1]
        assert len(f._blocks) == 3  # a window of ranged GETs in flight ahead of the reader
        parts = [first]
        while True:
            chunk = f.read(7777)  # across block boundaries
            if not chunk:
                break
            parts.append(chunk)
        assert b"".join(parts) == plain
        assert f.tell() == len(plain)
        assert f.read() == b"" and f.read(10) == b""
    assert f.closed
    with pytest.raises(ValueError):
        f.read(1)
    with client.open(uri) as f:
        assert f.read() == plain


def test_random_seeks(client, blob):
    uri, plain = blob
    rnd = random.Random(17)
    n = len(plain)
    with client.open(uri, block_size=BLOCK, read_ahead=4) as f:
        for _ in range(100):
            how = rnd.choice(("set", "cur", "end"))
            if how == "set":
                pos = f.seek(rnd.randrange(0, n + 100))
            elif how == "cur":
                pos = f.seek(rnd.randrange(-min(f.tell(), 3 * BLOCK), 3 * BLOCK), io.SEEK_CUR)
            else:
                pos = f.seek(-rnd.randrange(0, n), io.SEEK_END)
            assert f.tell() == pos
            length = rnd.choice((0, 1, 100, BLOCK - 1, BLOCK + 5, 5 * BLOCK))
            assert f.read(length) == plain[pos : pos + length], (pos, length)
            assert f.tell() == min(pos + length, max(n, pos))
        with pytest.raises(ValueError):
            f.seek(-1)
        with pytest.raises(ValueError):
            f.seek(0, 7)


def test_readinto_peek_read1(client, blob):
    uri, plain = blob
    with client.open(uri, block_size=BLOCK) as f:
        buf = bytearray(3 * BLOCK + 11)
        assert f.readinto(memoryview(buf)) == len(buf)
        assert buf == plain[: len(buf)]
        pos = f.tell()
        peeked = f.peek(10)
        assert peeked and plain[pos:].startswith(peeked) and f.tell() == pos
        one = f.read1(100000)
        assert 0 < len(one) <= 100000 and one == plain[pos : pos + len(one)]
        f.seek(len(plain) - 5)
        small = bytearray(100)
        assert f.readinto1(small) == 5 and small[:5] == plain[-5:]


def test_text_lines(client, prefix):
    lines = [f"line {i} " + "x" * (i % 300) + "\n" for i in range(2000)]
    text = "".join(lines)
    client.put_bytes(text.encode(), prefix + "t.txt")
    with client.open(prefix + "t.txt", block_size=BLOCK) as f:
        assert [ln.decode() for ln in f] == lines  # readline across blocks
    with client.open(prefix + "t.txt", "r", encoding="utf-8", block_size=BLOCK) as t:
        assert isinstance(t, io.TextIOWrapper)
        assert t.readline() == lines[0]
        assert t.read() == "".join(lines[1:])
    with client.open(prefix + "t.txt") as f:
        assert f.readline(4) == b"line" and f.readline() == lines[0][4:].encode()


def test_changed_object_is_detected(client, prefix):
    uri = prefix + "changing"
    old = os.urandom(4 * BLOCK)
    client.put_bytes(old, uri)
    with client.open(uri, block_size=BLOCK, read_ahead=1) as f:
        assert f.read(10) == old[:10]
        client.put_bytes(os.urandom(4 * BLOCK), uri)
        f.seek(3 * BLOCK)  # outside the window: a new GET, If-Match the old ETag
        with pytest.raises(ossio.ChangedError) as e:
            f.read(10)
        assert e.value.http_status == 412 and e.value.request_id


def test_close_with_gets_in_flight(client, blob):
    uri, plain = blob
    f = client.open(uri, block_size=BLOCK, read_ahead=8)
    assert f.read(3) == plain[:3]
    f.close()  # cancels the window
    f.close()
    assert client.get_bytes(uri) == plain  # the client is fine


def test_open_errors(client, prefix):
    with pytest.raises(ValueError):
        client.open(prefix + "x", "w")
    with pytest.raises(ossio.NotFoundError):
        client.open(prefix + "absent")
