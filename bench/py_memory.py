#!/usr/bin/env python3
"""One way of reading a whole object into memory from Python, measured in a
process of its own (bench/py-memory.sh runs each in turn):

    py_memory.py get_bytes|get_into|read|readinto URI CRC32 [key=value ...]

get_bytes: Client.get_bytes (a bytearray sized from a HEAD, the parallel
GETs write into it); read: Client.open(uri).read() (bytes: the file's
blocks are copied out); readinto: open() + readinto a bytearray of the
object's size; get_into: Client.get_into a bytearray allocated (and so
page-faulted) before the timing starts, the transfer alone. Prints one JSON line: seconds, the resident set before
and at its peak (getrusage ru_maxrss, KiB), the object size, and whether
the bytes' CRC-32 matches (computed after the timing).
"""

import json
import resource
import sys
import time
import zlib

import ossio


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main() -> int:
    how, uri, crc = sys.argv[1], sys.argv[2], int(sys.argv[3])
    settings = dict(d.split("=", 1) for d in sys.argv[4:])
    with ossio.Client(settings=settings) as c:
        size = c.stat(uri).size  # connection up, before the baseline
        ready = bytearray(size) if how == "get_into" else None
        before = rss_kib() - (size >> 10 if ready is not None else 0)
        t0 = time.monotonic()
        if ready is not None:
            c.get_into(uri, ready)
            data = ready
        elif how == "get_bytes":
            data = c.get_bytes(uri)
        elif how == "read":
            with c.open(uri) as f:
                data = f.read()
        else:
            data = bytearray(size)
            with c.open(uri) as f:
                f.readinto(data)
        secs = time.monotonic() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        ok = len(data) == size and zlib.crc32(data) == crc
        print(json.dumps({
            "how": how, "size": size, "seconds": secs, "rss_before_kib": before,
            "rss_peak_kib": peak, "over_size_mib": (peak - before) / 1024 - size / 2**20,
            "memory_peak": c.stats()["memory_peak"], "ok": ok,
        }))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
