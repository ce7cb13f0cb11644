"""Fixtures of the Python binding's tests: the local endpoint (the ctest
fixture's, through OSSIO_ENDPOINT_STATE, or a private one started here when
pytest runs by hand), clients over HTTP/2 and HTTP/1.1, a key prefix of
each test's own (removed afterwards), and the ossio program as a peer."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import urllib.request
import uuid

import pytest

import ossio

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# Only what the tests set: no configuration from the environment around them.
for _v in list(os.environ):
    if _v.startswith(("OSS_", "AWS_")) or _v in ("FLINK_CONF_DIR", "HADOOP_CONF_DIR"):
        del os.environ[_v]


@pytest.fixture(scope="session")
def ep():
    """endpoint.json of the running endpoint (secrets included: never print it)."""
    state = os.environ.get("OSSIO_ENDPOINT_STATE")
    own = None
    if not state:
        own = tempfile.mkdtemp(prefix="ossio-py-ep-")
        subprocess.run(
            ["node", os.path.join(ROOT, "tests/endpoint/start"), "--state", own, "--timeout", "90"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        state = own
    with open(os.path.join(state, "endpoint.json"), encoding="utf-8") as f:
        desc = json.load(f)
    yield desc
    if own:
        subprocess.run(["node", os.path.join(ROOT, "tests/endpoint/stop"), "--state", own])
        shutil.rmtree(own, ignore_errors=True)


def h2_settings(ep) -> dict:
    """Path-style over TLS + HTTP/2 (nghttpx)."""
    return {
        "fs.oss.endpoint": f"https://localhost:{ep['ports']['h2_tls']}",
        "fs.oss.path.style.access": "true",
        "fs.oss.connection.ca.file": ep["ca_file"],
        "fs.oss.accessKeyId": ep["credentials"]["access_key_id"],
        "fs.oss.accessKeySecret": ep["credentials"]["access_key_secret"],
    }


def h1_settings(ep) -> dict:
    """Virtual-hosted over TLS with HTTP/1.1 only, the name pinned as users pin it."""
    port = ep["ports"]["h1_tls"]
    return {
        "fs.oss.endpoint": f"https://{ep['endpoint_host']}:{port}",
        "fs.oss.connection.resolve": f"{ep['bucket']}.{ep['endpoint_host']}:{port}:127.0.0.1",
        "fs.oss.connection.ca.file": ep["ca_file"],
        "fs.oss.http2.enabled": "false",
        "fs.oss.accessKeyId": ep["credentials"]["access_key_id"],
        "fs.oss.accessKeySecret": ep["credentials"]["access_key_secret"],
    }


@pytest.fixture(params=["h2", "h1"])
def settings(request, ep) -> dict:
    return (h2_settings if request.param == "h2" else h1_settings)(ep)


@pytest.fixture
def client(settings):
    with ossio.Client(settings=settings, env=False) as c:
        yield c


def control(ep, method: str, path: str, body=None):
    """The endpoint's control API (faults, clean-up)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        f"http://127.0.0.1:{ep['ports']['control']}{path}", data=data, method=method
    )
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req) as r:
        text = r.read()
    return json.loads(text) if text else None


@pytest.fixture
def prefix(ep):
    """oss://bucket/py-<pid>-<random>/ for one test; its objects removed afterwards."""
    key = f"py-{os.getpid()}-{uuid.uuid4().hex[:10]}"
    yield f"oss://{ep['bucket']}/{key}/"
    control(ep, "DELETE", f"/objects?prefix={key}/")
    control(ep, "DELETE", f"/faults?path={key}")


def cli_args(ep) -> list:
    return [
        os.environ.get("OSSIO_CLI", "ossio"),
        "--endpoint",
        f"https://localhost:{ep['ports']['h2_tls']}",
        "-D",
        "fs.oss.path.style.access=true",
        "-D",
        f"fs.oss.connection.ca.file={ep['ca_file']}",
    ]


def cli_env(ep) -> dict:
    env = dict(os.environ)
    env["OSS_ACCESS_KEY_ID"] = ep["credentials"]["access_key_id"]
    env["OSS_ACCESS_KEY_SECRET"] = ep["credentials"]["access_key_secret"]
    return env


@pytest.fixture
def cli(ep):
    """Runs the ossio program (the C peer of the binding); returns its stdout."""

    def run(*args: str) -> str:
        p = subprocess.run([*cli_args(ep), *args], env=cli_env(ep), capture_output=True, text=True)
        assert p.returncode == 0, f"ossio {' '.join(args)}: {p.stderr}"
        return p.stdout

    return run
