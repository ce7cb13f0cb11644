"""Client.splits() and read_split(): every record of a multi-object prefix
exactly once, as `ossio count` counts them and as `wc -l` counts the lines
of a plain download."""

from __future__ import annotations

import collections
import gzip
import os
import pickle
import random
import subprocess

import pytest

import ossio

SMALL_BLOCKS = {"fs.oss.block.size": "64k"}


def make_prefix(client, prefix) -> dict:
    """Objects of varied lines (CRLF, empty lines, long ones, an empty
    object); "_SUCCESS" and ".hidden" are skipped as Flink skips them.
    Returns the objects that count, name -> bytes."""
    rnd = random.Random(5)
    objs = {}
    for i in range(5):
        lines = []
        for j in range(rnd.randrange(300, 1500)):
            n = rnd.choice((0, 1, 10, 80, 400, 2000))
            lines.append(f"{i}:{j}:" + "".join(rnd.choice("abcdefgh ") for _ in range(n)))
        sep = "\r\n" if i == 3 else "\n"
        objs[f"part-{i}"] = (sep.join(lines) + sep).encode()
    objs["part-empty"] = b""
    for name, data in objs.items():
        client.put_bytes(data, prefix + name)
    client.put_bytes(b"not\nread\n", prefix + "_SUCCESS")
    client.put_bytes(b"not\nread\n", prefix + ".hidden")
    return objs


def read_all(client, splits, **kw):
    return [rec for s in splits for rec in client.read_split(s, **kw)]


def test_every_record_once(ep, settings, prefix, cli, tmp_path):
    with ossio.Client(settings={**settings, **SMALL_BLOCKS}, env=False) as c:
        objs = make_prefix(c, prefix)
        splits = c.splits(prefix, 7)
        assert len(splits) > 7  # 64 KiB blocks cut the larger objects further
        assert {s.uri.rsplit("/", 1)[1] for s in splits} == set(objs)
        assert [s.index for s in splits] == list(range(len(splits)))
        records = read_all(c, splits)

    # The same records as the objects' lines (CRLF stripped), each once.
    want = [ln.rstrip(b"\r") for data in objs.values() for ln in data.split(b"\n")[:-1]]
    assert collections.Counter(records) == collections.Counter(want)

    # Peers: the ossio program's count, and wc -l over a plain download.
    count = int(cli("count", "-p", "7", prefix).strip())
    down = tmp_path / "down"
    down.mkdir()
    for name in objs:
        cli("-q", "cp", prefix + name, str(down / name))
    wc = subprocess.run(
        ["wc", "-l", *sorted(str(down / n) for n in objs)], capture_output=True, text=True, check=True
    ).stdout
    total = int(wc.strip().splitlines()[-1].split()[0])
    assert len(records) == count == total


def test_splits_pickle_and_read_elsewhere(settings, prefix):
    with ossio.Client(settings={**settings, **SMALL_BLOCKS}, env=False) as c:
        make_prefix(c, prefix)
        splits = c.splits(prefix, 4)
        here = read_all(c, splits)
    moved = pickle.loads(pickle.dumps(splits))
    assert moved == splits and isinstance(moved[0], ossio.Split)
    with ossio.Client(settings=settings, env=False) as other:
        assert read_all(other, moved) == here


def test_one_object_split_boundaries(client, prefix):
    # Records straddling every split boundary: each lands in one split only.
    data = b"".join(b"r%05d-" % i + b"y" * (i % 97) + b"\n" for i in range(20000))
    client.put_bytes(data, prefix + "one.txt")
    for parallelism in (1, 2, 3, 16):
        splits = client.splits(prefix + "one.txt", parallelism)
        assert len(splits) >= parallelism
        per_split = [list(client.read_split(s)) for s in splits]
        assert [r for recs in per_split for r in recs] == data.split(b"\n")[:-1]


def test_text_delimiter_and_limits(client, prefix):
    client.put_bytes("ä|b|cc|".encode(), prefix + "d.txt")
    (split,) = client.splits(prefix + "d.txt", 1)
    assert list(client.read_split(split, delimiter=b"|", encoding="utf-8")) == ["ä", "b", "cc"]
    client.put_bytes(b"short\n" + b"z" * 100 + b"\n", prefix + "long.txt")
    (split,) = client.splits(prefix + "long.txt", 1)
    with pytest.raises(ossio.RecordTooLongError) as e:
        list(client.read_split(split, max_record=50))
    assert e.value.code == "OSSIO_ERECORDSIZE"
    with pytest.raises(ValueError):
        client.read_split(split, delimiter=b"")
    with pytest.raises(ValueError):
        client.splits(prefix, 0)
    with pytest.raises(TypeError):
        client.read_split((0, "oss://b/k", 0, 1, 1, None, False))


def test_compressed_object(client, prefix):
    lines = [b"gz line %d" % i for i in range(10000)]
    client.put_bytes(gzip.compress(b"\n".join(lines) + b"\n"), prefix + "z.gz")
    splits = client.splits(prefix + "z.gz", 4)
    assert len(splits) == 1 and splits[0].unsplittable
    assert list(client.read_split(splits[0])) == lines


def test_missing_prefix_and_early_stop(client, prefix):
    with pytest.raises(ossio.NotFoundError) as e:
        client.splits(prefix + "nothing/", 2)
    assert e.value.code == "OSSIO_ENOTFOUND"
    client.put_bytes(b"".join(b"%d\n" % i for i in range(100000)), prefix + "n.txt")
    (split,) = client.splits(prefix + "n.txt", 1)
    it = client.read_split(split)
    assert [next(it) for _ in range(3)] == [b"0", b"1", b"2"]
    it.close()  # the read is canceled; the client goes on
    assert sum(1 for _ in client.read_split(split)) == 100000
