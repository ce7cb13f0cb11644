#!/usr/bin/env python3
"""Counts the records of an object or a "directory" of objects as Flink's
readTextFile reads them, each input split read by a Dask worker process
through the ossio binding.

    python3 examples/dask_count.py [-w WORKERS] [-p PARALLELISM] [--config FILE]
                                   [-D key=value]... oss://bucket/dir/

The planner runs here (one listing, Flink's FileInputFormat rules); the
splits, plain picklable values, go to the workers; each worker process
keeps one ossio.Client per thread and reads its splits with Flink's record
ownership, so the total is every record exactly once. Credentials are not
sent to the workers: they read them where this process does (the
environment, or --config), since LocalCluster's workers inherit both.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import sys
import threading
import time
from typing import Any, Dict, List, Tuple

import ossio

_local = threading.local()


def _client(settings: Dict[str, Any]) -> ossio.Client:
    """This thread's client for these settings (created once, closed at exit)."""
    key = json.dumps(settings, sort_keys=True)
    cache = getattr(_local, "clients", None)
    if cache is None:
        cache = _local.clients = {}
        atexit.register(lambda: [c.close() for c in cache.values()])
    if key not in cache:
        cache[key] = ossio.Client(**settings)
    return cache[key]


def count_split(split: ossio.Split, settings: Dict[str, Any]) -> Tuple[int, int]:
    """Runs on a worker: (records of |split|, the worker's process id)."""
    return sum(1 for _ in _client(settings).read_split(split)), os.getpid()


def dask_count(
    dask_client: Any, uri: str, parallelism: int, settings: Dict[str, Any]
) -> Tuple[int, List[ossio.Split], List[Tuple[int, int]]]:
    """(total records, the splits, (records, pid) per split) of |uri|."""
    with ossio.Client(**settings) as planner:
        splits = planner.splits(uri, parallelism)
    # Split i goes to worker i mod N, as Flink hands splits to its parallel
    # instances: every worker reads, and the load is even for even splits.
    workers = sorted(dask_client.scheduler_info()["workers"])
    futures = [
        dask_client.submit(count_split, s, settings, pure=False,
                           workers=[workers[i % len(workers)]], allow_other_workers=False)
        for i, s in enumerate(splits)
    ]
    per_split = dask_client.gather(futures)
    return sum(n for n, _ in per_split), splits, per_split


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("uri")
    ap.add_argument("-w", "--workers", type=int, default=2, help="worker processes (default 2)")
    ap.add_argument("-p", "--parallelism", type=int, help="at least this many splits (default 2 x workers)")
    ap.add_argument("--config", help="core-site.xml or flink-conf.yaml")
    ap.add_argument("-D", dest="defs", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--json", action="store_true", help="one JSON line with the figures")
    a = ap.parse_args(argv)

    from dask.distributed import Client, LocalCluster

    # The workers import count_split from this file as the module
    # "dask_count" (a function of __main__ would be pickled by value).
    here = os.path.dirname(os.path.abspath(__file__))
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (here, os.environ.get("PYTHONPATH"))))
    sys.path.insert(0, here)
    import dask_count as mod

    settings: Dict[str, Any] = {"settings": dict(d.split("=", 1) for d in a.defs)}
    if a.config:
        settings["config"] = os.path.abspath(a.config)
    parallelism = a.parallelism or 2 * a.workers
    with LocalCluster(
        n_workers=a.workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        memory_limit=0,
    ) as cluster, Client(cluster) as dc:
        dc.wait_for_workers(a.workers)
        t0 = time.monotonic()
        total, splits, per_split = mod.dask_count(dc, a.uri, parallelism, settings)
        seconds = time.monotonic() - t0
    if a.json:
        print(json.dumps({
            "records": total,
            "splits": len(splits),
            "workers": a.workers,
            "worker_pids": len({pid for _, pid in per_split}),
            "bytes": sum(s.length for s in splits),
            "seconds": seconds,
        }))
    else:
        print(total)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
