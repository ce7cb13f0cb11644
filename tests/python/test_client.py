"""ossio.Client against the local endpoint: whole objects in and out,
listings, configuration sources, and the clients' thread rules."""

from __future__ import annotations

import collections.abc
import gc
import hashlib
import os
import pickle
import time
import tracemalloc

import pytest

import ossio
from conftest import h2_settings

SMALL_PARTS = {
    "fs.oss.multipart.upload.size": "100k",
    "fs.oss.multipart.upload.threshold": "100k",
    "fs.oss.multipart.download.size": "100k",
}


def test_put_bytes_get_bytes(client, prefix):
    data = os.urandom(1024 * 1024 + 17)
    uri = prefix + "blob.bin"
    assert client.put_bytes(data, uri) == len(data)
    got = client.get_bytes(uri)
    assert type(got) is bytearray
    assert got == data
    info = client.stat(uri)
    assert info.size == len(data)
    assert info.uri == uri
    # One PutObject: the ETag is the body's MD5, as OSS computes it.
    assert info.etag.strip('"').lower() == hashlib.md5(data).hexdigest()
    assert info.crc64 is not None


def test_put_bytes_takes_any_buffer(client, prefix):
    arr = bytearray(b"abc" * 1000)
    client.put_bytes(memoryview(arr)[3:], prefix + "mv.bin")
    assert client.get_bytes(prefix + "mv.bin") == arr[3:]


def test_multipart_file_round_trip(settings, prefix, tmp_path):
    src = tmp_path / "src.bin"
    data = os.urandom(1024 * 1024 + 3)
    src.write_bytes(data)
    with ossio.Client(settings={**settings, **SMALL_PARTS}, env=False) as c:
        assert c.put(src, prefix + "multi.bin") == len(data)
        assert c.stat(prefix + "multi.bin").size == len(data)
        dst = tmp_path / "dst.bin"
        assert c.get(prefix + "multi.bin", dst) == len(data)
        assert dst.read_bytes() == data


def test_get_into_buffers(client, prefix):
    data = os.urandom(300_000)
    client.put_bytes(data, prefix + "x")
    buf = bytearray(400_000)
    assert client.get_into(prefix + "x", memoryview(buf)) == len(data)
    assert buf[: len(data)] == data
    with pytest.raises(ossio.OssioError) as e:
        client.get_into(prefix + "x", bytearray(1000))
    assert e.value.code == "OSSIO_EBODYSIZE"


def test_empty_object(client, prefix):
    client.put_bytes(b"", prefix + "empty")
    assert client.get_bytes(prefix + "empty") == bytearray()
    assert client.stat(prefix + "empty").size == 0
    with client.open(prefix + "empty") as f:
        assert f.read() == b""


def test_headers_and_no_overwrite(client, prefix):
    uri = prefix + "h.txt"
    client.put_bytes(b"one", uri, content_type="text/plain", metadata={"color": "red"})
    assert client.stat(uri).content_type == "text/plain"
    with pytest.raises(ossio.ExistsError) as e:
        client.put_bytes(b"two", uri, overwrite=False)
    assert isinstance(e.value, FileExistsError)
    assert client.get_bytes(uri) == b"one"


def test_delete(client, prefix):
    client.put_bytes(b"x", prefix + "gone")
    client.delete(prefix + "gone")
    with pytest.raises(ossio.NotFoundError):
        client.stat(prefix + "gone")


def test_ls(client, prefix):
    for k in ("a/1", "a/2", "a/sub/3", "b"):
        client.put_bytes(k.encode(), prefix + k)
    it = client.ls(prefix + "a/")
    assert isinstance(it, collections.abc.Iterator)
    entries = list(it)
    assert [e.uri for e in entries] == [prefix + "a/1", prefix + "a/2", prefix + "a/sub/"]
    assert entries[0].size == 3 and entries[2].size == 0 and entries[2].etag is None
    rec = [e.uri for e in client.ls(prefix, recursive=True)]
    assert rec == [prefix + k for k in ("a/1", "a/2", "a/sub/3", "b")]


def test_ls_pages_and_early_stop(settings, prefix):
    with ossio.Client(settings={**settings, "fs.oss.paging.maximum": 2}, env=False) as c:
        keys = [f"k{i:02d}" for i in range(7)]
        for k in keys:
            c.put_bytes(b"", prefix + k)
        assert [e.key.rsplit("/", 1)[1] for e in c.ls(prefix)] == keys  # 4 pages
        it = c.ls(prefix)
        assert next(it).uri == prefix + "k00"
        it.close()  # the listing is canceled; the client goes on
        assert c.stat(prefix + "k06").size == 0
        assert len(list(c.ls(prefix))) == 7


# ---- configuration ----


def test_keywords_settings_and_precedence(ep, prefix):
    s = h2_settings(ep)
    c = ossio.Client(
        env=False,
        settings={"fs.oss.endpoint": "https://localhost:1"},  # overridden by the keyword
        endpoint=s["fs.oss.endpoint"],
        access_key_id=s["fs.oss.accessKeyId"],
        access_key_secret=s["fs.oss.accessKeySecret"],
        ca_file=s["fs.oss.connection.ca.file"],
        path_style=True,
        http2=True,
        max_connections=4,
        memory_limit="64M",
    )
    with c:
        c.put_bytes(b"kw", prefix + "kw")
        assert c.get_bytes(prefix + "kw") == b"kw"


def test_hadoop_core_site(ep, prefix, tmp_path):
    props = "".join(
        f"<property><name>{k}</name><value>{v}</value></property>"
        for k, v in h2_settings(ep).items()
    )
    path = tmp_path / "core-site.xml"
    path.write_text(f"<?xml version='1.0'?><configuration>{props}</configuration>")
    with ossio.Client(config=str(path), env=False) as c:
        c.put_bytes(b"hadoop", prefix + "h")
        assert c.get_bytes(prefix + "h") == b"hadoop"


def test_flink_conf_and_environment(ep, prefix, tmp_path, monkeypatch):
    s = h2_settings(ep)
    conf = tmp_path / "flink-conf.yaml"
    conf.write_text(
        "".join(f"{k}: {v}\n" for k, v in s.items() if "access" not in k.lower())
    )
    # Credentials from the environment, the file from FLINK_CONF_DIR: Client().
    monkeypatch.setenv("OSS_ACCESS_KEY_ID", s["fs.oss.accessKeyId"])
    monkeypatch.setenv("OSS_ACCESS_KEY_SECRET", s["fs.oss.accessKeySecret"])
    with ossio.Client(config=conf) as c:
        c.put_bytes(b"flink", prefix + "f")
    monkeypatch.setenv("FLINK_CONF_DIR", str(tmp_path))
    with ossio.Client() as c:
        assert c.get_bytes(prefix + "f") == b"flink"


def test_config_errors(ep, tmp_path):
    with pytest.raises(ossio.ConfigError) as e:
        ossio.Client(env=False, settings={"fs.oss.connection.maximum": "many"})
    assert e.value.code == "OSSIO_ECONFIG"
    assert "fs.oss.connection.maximum" in str(e.value)
    assert isinstance(e.value, ValueError)
    bad = tmp_path / "core-site.xml"
    bad.write_text("<configuration><property>")
    with pytest.raises(ossio.OssioError) as e:
        ossio.Client(config=bad, env=False)
    assert e.value.code == "OSSIO_EXML"
    with pytest.raises(TypeError):
        ossio.Client(env=False, settings={"fs.oss.block.size": 1.5})
    with ossio.Client(env=False) as c:  # no endpoint: the first operation says so
        with pytest.raises(ossio.ConfigError) as e:
            c.stat("oss://bucket/key")
        assert e.value.code == "OSSIO_ENOENDPOINT"
        assert "Aliyun OSS endpoint should not be null or empty" in str(e.value)


# ---- errors ----


def logged(ep, request_id: str) -> bool:
    """Whether the endpoint logged a request with this id. The log is
    written asynchronously: wait for the line (bounded), it is not timed."""
    for _ in range(200):
        with open(ep["log_file"], encoding="utf-8", errors="replace") as f:
            if f" {request_id} " in f.read():
                return True
        time.sleep(0.05)
    return False


def test_missing_object(client, prefix, ep, tmp_path):
    uri = prefix + "missing"
    for call in (
        lambda: client.stat(uri),
        lambda: client.get_bytes(uri),
        lambda: client.get(uri, tmp_path / "out"),
        lambda: client.open(uri),
    ):
        with pytest.raises(ossio.NotFoundError) as e:
            call()
        err = e.value
        assert isinstance(err, FileNotFoundError)
        assert err.code == "OSSIO_ENOTFOUND" and err.status < 0
        assert err.http_status == 404
        assert err.uri == uri
        assert err.request_id and logged(ep, err.request_id)
        assert err.request_id in str(err)
    assert not (tmp_path / "out").exists()
    with pytest.raises(ossio.NotFoundError) as e:
        client.get(uri, tmp_path / "out")
    assert e.value.server_code == "NoSuchKey"
    copy = pickle.loads(pickle.dumps(e.value))  # crosses process boundaries (Dask)
    assert type(copy) is ossio.NotFoundError and copy.request_id == e.value.request_id


def test_wrong_credentials(settings, prefix, ep):
    secret = settings["fs.oss.accessKeySecret"]
    with ossio.Client(settings={**settings, "fs.oss.accessKeySecret": "wrong" + secret}, env=False) as c:
        with pytest.raises(ossio.SignatureError) as e:
            c.put_bytes(b"x", prefix + "denied")
    err = e.value
    assert isinstance(err, PermissionError) and isinstance(err, ossio.AccessDeniedError)
    assert err.code == "OSSIO_ESIGNATURE" and err.server_code == "SignatureDoesNotMatch"
    assert err.http_status == 403 and err.request_id
    assert secret not in str(err) and secret not in repr(err) and secret not in (err.detail or "")
    with ossio.Client(settings={**settings, "fs.oss.accessKeyId": "LTAInobody"}, env=False) as c:
        with pytest.raises(ossio.AccessDeniedError) as e:
            c.get_bytes(prefix + "anything")
    assert e.value.server_code == "InvalidAccessKeyId" and e.value.request_id


def test_bad_uris(client):
    with pytest.raises(ossio.InvalidURIError) as e:
        client.stat("http://bucket/key")
    assert e.value.code == "OSSIO_ESCHEME"
    with pytest.raises(ossio.InvalidURIError):
        client.stat("oss://Bad_Bucket/key")
    with pytest.raises(ValueError):
        client.stat("oss://bucket/a\0b")


def test_closed_client(ep, prefix):
    c = ossio.Client(settings=h2_settings(ep), env=False)
    c.put_bytes(b"1\n2\n", prefix + "c")
    it = c.ls(prefix)
    c.close()
    c.close()  # idempotent
    assert c.closed
    with pytest.raises(ValueError):
        c.stat(prefix + "c")
    with pytest.raises(ValueError):
        next(it)
    with pytest.raises(TypeError):
        pickle.dumps(c)


def test_files_and_generators_keep_their_client(ep, prefix):
    s = h2_settings(ep)
    ossio.Client(settings=s, env=False).put_bytes(b"a\nb\n", prefix + "k")
    f = ossio.Client(settings=s, env=False).open(prefix + "k")
    it = ossio.Client(settings=s, env=False).ls(prefix)
    (split,) = ossio.Client(settings=s, env=False).splits(prefix + "k")
    records = ossio.Client(settings=s, env=False).read_split(split)
    gc.collect()
    assert f.read() == b"a\nb\n"
    assert [e.key.rsplit("/", 1)[1] for e in it] == ["k"]
    assert list(records) == [b"a", b"b"]
    f.close()


# ---- memory ----


def test_get_bytes_holds_one_copy(ep, prefix):
    """Python-side allocations while reading 8 MiB into memory stay at the
    object's size (no second copy); ossio's own buffers stay in the budget."""
    size = 8 * 1024 * 1024
    with ossio.Client(settings={**h2_settings(ep), "fs.oss.memory.limit": "4M"}, env=False) as c:
        c.put_bytes(os.urandom(size), prefix + "big")
        tracemalloc.start()
        try:
            data = c.get_bytes(prefix + "big")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert len(data) == size
        assert peak < size + 1024 * 1024, f"peak {peak} for {size} bytes"
        assert c.stats()["memory_peak"] <= 4 * 1024 * 1024


def test_corrupted_body_names_the_checksum(client, prefix, ep):
    """A body that arrives with a flipped byte (every fetch of it) raises
    ChecksumError, which says which checksum differed; nothing is returned."""
    from conftest import control

    uri = prefix + "flipped.bin"
    data = os.urandom(300 * 1024)
    client.put_bytes(data, uri)
    key = uri.split("/", 3)[3]
    control(ep, "POST", "/faults", {"kind": "flip", "count": 10, "match": {"method": "GET", "path": key}})
    with pytest.raises(ossio.ChecksumError) as e:
        client.get_bytes(uri)
    assert e.value.code == "OSSIO_ECHECKSUM"
    assert e.value.checksum == "crc64"
    assert isinstance(e.value, ossio.IntegrityError)
    control(ep, "DELETE", f"/faults?path={key}")
    assert bytes(client.get_bytes(uri)) == data
