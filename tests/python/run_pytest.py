#!/usr/bin/env python3
"""Runs Debian's pytest on tests/python against the built binding, under the
library's sanitizers when it was built with them (ctest's python tests).

    run_pytest.py --pkg BUILD/python --lib libossio.so --cc CC -- PYTEST ARGS

The interpreter is not built with ASan, but an ASan library must find the
ASan runtime loaded first: LD_PRELOAD it (the one the library links, from
ldd). PYTHONMALLOC=malloc lets LeakSanitizer see every Python object, so
what the library allocates stays traceable through Python's references.
CPython leaves some of its own memory unfreed at exit, so leak reports are
written to files (log_path) and judged here: a leak counts, and fails the
run, when it was allocated by ossio's code (a frame in libossio, in the
binding's module, or in the library's sources) and not by the interpreter
itself (its first frame past the allocator is not in python3 or
_cffi_backend). Any other sanitizer error fails the run as usual.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def asan_runtime(lib: str, cc: str) -> str | None:
    """The ASan runtime |lib| needs, or None when it is not sanitized."""
    out = subprocess.run(["ldd", lib], capture_output=True, text=True).stdout
    m = re.search(r"(libasan\S*|libclang_rt\.asan\S*)\s+=>\s+(\S+)", out)
    if m:
        return m.group(2)
    syms = subprocess.run(["nm", "-D", "--undefined-only", lib], capture_output=True, text=True)
    if "__asan_init" in syms.stdout:  # clang: runtime not linked into shared objects
        path = subprocess.run(
            [cc, "-print-file-name=libclang_rt.asan-x86_64.so"], capture_output=True, text=True
        ).stdout.strip()
        return path if os.path.isabs(path) else None
    return None


OURS = re.compile(r"libossio|_ossio_cffi|" + re.escape(os.path.join(ROOT, "src")) + r"/")
INTERPRETER = re.compile(r"\((/usr/bin/)?python3[.\d]*\+|_cffi_backend|in _?Py[A-Z_]")


def judge(logdir: str) -> int:
    """Prints the reports that count; returns how many there were."""
    bad = ignored = 0
    for path in sorted(glob.glob(os.path.join(logdir, "asan.*"))):
        text = open(path, encoding="utf-8", errors="replace").read()
        if re.search(r"ERROR: (AddressSanitizer|UndefinedBehaviorSanitizer)", text):
            print(f"--- sanitizer error ({os.path.basename(path)}):\n{text}", file=sys.stderr)
            bad += 1
            continue
        for block in re.split(r"\n(?=(?:Direct|Indirect) leak of )", text):
            if not re.match(r"(Direct|Indirect) leak of ", block):
                continue
            frames = re.findall(r"^\s+#\d+ .*$", block, re.M)
            first = next((f for f in frames[1:] if "libsanitizer" not in f), "")
            if any(OURS.search(f) for f in frames) and not INTERPRETER.search(first):
                print(f"--- leak by ossio ({os.path.basename(path)}):\n{block}", file=sys.stderr)
                bad += 1
            else:
                ignored += 1
    if ignored:
        print(f"run_pytest: {ignored} leak report(s) of the Python interpreter itself ignored")
    return bad


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pkg", required=True, help="directory holding the built ossio package")
    ap.add_argument("--lib", required=True, help="the libossio the package links")
    ap.add_argument("--cc", default="cc")
    ap.add_argument("pytest_args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    args = a.pytest_args[1:] if a.pytest_args[:1] == ["--"] else a.pytest_args

    env = dict(os.environ)
    env["PYTHONPATH"] = os.path.abspath(a.pkg) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    runtime = asan_runtime(a.lib, a.cc)
    logdir = None
    if runtime:
        logdir = tempfile.mkdtemp(prefix="ossio-pytest-asan-")
        env["LD_PRELOAD"] = runtime
        env["PYTHONMALLOC"] = "malloc"
        env["ASAN_OPTIONS"] = f"detect_leaks=1:abort_on_error=0:log_path={logdir}/asan"
        env["LSAN_OPTIONS"] = "exitcode=0"  # judged below, not by the exit code
        print(f"run_pytest: sanitized library: LD_PRELOAD={runtime}, leaks judged from {logdir}")

    cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args]
    rc = subprocess.run(cmd, env=env, cwd=HERE).returncode
    if rc == 5:
        print("run_pytest: pytest collected no test", file=sys.stderr)
    if logdir:
        bad = judge(logdir)
        if bad:
            print(f"run_pytest: {bad} sanitizer report(s) against ossio", file=sys.stderr)
            rc = rc or 1
        else:
            shutil.rmtree(logdir, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
