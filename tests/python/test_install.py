"""The package installs and imports from an install tree: `cmake --install`
of the library and the python component to a scratch prefix, then a fresh
interpreter that sees only that tree loads the package and the library
installed beside it ($ORIGIN-relative RUNPATH, no ldconfig)."""

from __future__ import annotations

import glob
import os
import subprocess
import sys

import pytest


def test_installed_package_imports(tmp_path):
    build = os.environ.get("OSSIO_BUILD_DIR")
    if not build:
        pytest.skip("OSSIO_BUILD_DIR is set by ctest (the build tree to install)")
    prefix = tmp_path / "prefix"
    for component in ("lib", "python"):
        subprocess.run(
            ["cmake", "--install", build, "--prefix", str(prefix), "--component", component],
            check=True,
            capture_output=True,
        )
    (pkg,) = glob.glob(str(prefix / "lib" / "python3*" / "dist-packages" / "ossio"))
    env = dict(os.environ, PYTHONPATH=os.path.dirname(pkg))
    code = (
        "import ossio\n"
        "print(ossio.__file__)\n"
        "print(ossio.library_version())\n"
        "print(next(l.split()[-1] for l in open('/proc/self/maps') if 'libossio.so' in l))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[0].startswith(str(prefix))
    assert out[1] == "0.1.0"
    assert out[2].startswith(str(prefix))  # the installed library, not the build tree's
