"""Split reading on Dask: a LocalCluster of worker processes reads every
split of a multi-object prefix through the binding (examples/dask_count.py);
the record count equals `ossio count` and `wc -l` of a plain download."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT, cli_args, cli_env, h2_settings
from test_splits import make_prefix

import ossio

EXAMPLES = os.path.join(ROOT, "examples")
distributed = pytest.importorskip("distributed")  # python3-distributed: ./dev installs it


def _wc_l(cli, prefix, names, tmp_path) -> int:
    down = tmp_path / "down"
    down.mkdir()
    for n in names:
        cli("-q", "cp", prefix + n, str(down / n))
    out = subprocess.run(["wc", "-l", *sorted(str(down / n) for n in names)],
                         capture_output=True, text=True, check=True).stdout
    return int(out.strip().splitlines()[-1].split()[0])


@pytest.fixture
def data(ep, prefix, monkeypatch):
    """The prefix's objects, and the environment the workers inherit:
    credentials (never sent through Dask) and examples/ on the path."""
    s = h2_settings(ep)
    with ossio.Client(settings=s, env=False) as c:
        objs = make_prefix(c, prefix)
    monkeypatch.setenv("OSS_ACCESS_KEY_ID", s.pop("fs.oss.accessKeyId"))
    monkeypatch.setenv("OSS_ACCESS_KEY_SECRET", s.pop("fs.oss.accessKeySecret"))
    monkeypatch.setenv("PYTHONPATH", EXAMPLES + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.syspath_prepend(EXAMPLES)
    return objs, {**s, "fs.oss.block.size": "64k"}


def test_local_cluster_reads_every_split(data, prefix, cli, tmp_path):
    from dask.distributed import Client, LocalCluster

    import dask_count

    objs, settings = data
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, memory_limit=0) as cluster, Client(cluster) as dc:
        dc.wait_for_workers(2)
        total, splits, per_split = dask_count.dask_count(dc, prefix, 6, {"settings": settings})
    assert len(splits) > 6 and len(per_split) == len(splits)
    pids = {pid for _, pid in per_split}
    assert len(pids) == 2 and os.getpid() not in pids  # two worker processes read
    assert total == int(cli("count", "-p", "6", prefix).strip())
    assert total == _wc_l(cli, prefix, objs, tmp_path)
    assert total == sum(data.count(b"\n") for data in objs.values())


def test_example_as_users_run_it(data, ep, prefix, cli):
    objs, settings = data
    defs = [a for k, v in settings.items() for a in ("-D", f"{k}={v}")]
    out = subprocess.run(
        [sys.executable, os.path.join(EXAMPLES, "dask_count.py"), "-w", "2", "-p", "4", "--json",
         *defs, prefix],
        capture_output=True, text=True, timeout=600,
    )
    assert out.returncode == 0, out.stderr
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert res["workers"] == 2 and res["worker_pids"] == 2 and res["splits"] >= 4
    assert res["records"] == int(cli("count", "-p", "4", prefix).strip())
