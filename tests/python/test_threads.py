"""The GIL is released while a client waits on the network; a client is
used by one thread at a time; clients in several threads run at once."""

from __future__ import annotations

import faulthandler
import http.server
import logging
import os
import threading

import pytest

import ossio


class _Head(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_HEAD(self):  # noqa: N802 (http.server's naming)
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.send_header("ETag", '"0123456789abcdef0123456789abcdef"')
        self.send_header("x-oss-request-id", "PYTHONSERVER")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_gil_released_while_the_loop_runs():
    """The client's only server is Python code in another thread of this
    process: the HEAD can be answered only if the GIL is free while the
    loop waits in C. If it were held, the process would deadlock; the
    faulthandler guard then dumps the stacks and exits, failing the run."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Head)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    faulthandler.dump_traceback_later(300, exit=True)  # deadlock guard, not a timing check
    try:
        with ossio.Client(
            env=False,
            endpoint=f"http://127.0.0.1:{server.server_address[1]}",
            access_key_id="id",
            access_key_secret="secret",
        ) as c:
            info = c.stat("oss://bucket/key")
        assert info.size == 5 and info.etag == '"0123456789abcdef0123456789abcdef"'
    finally:
        faulthandler.cancel_dump_traceback_later()
        server.shutdown()
        server.server_close()


def test_one_client_one_thread_at_a_time(settings, prefix):
    """A second thread entering a client while the first is inside its loop
    gets RuntimeError. The first thread is held inside the loop by the log
    handler (the library logs "connected" from the loop), so this does not
    depend on timing."""
    inside, tried = threading.Event(), threading.Event()
    outcome = {}
    logger = logging.getLogger("ossio")

    class Hold(logging.Handler):
        def emit(self, record):
            if c._engine._busy.locked() and not inside.is_set():
                inside.set()
                tried.wait()

    def intruder():
        inside.wait()
        try:
            c.stat(prefix + "x")
        except RuntimeError as e:
            outcome["error"] = e
        finally:
            tried.set()

    handler = Hold(level=logging.DEBUG)
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.DEBUG)
    c = ossio.Client(settings=settings, env=False)
    try:
        t = threading.Thread(target=intruder)
        t.start()
        c.put_bytes(b"x", prefix + "x")  # connects: the handler holds us inside
        t.join()
        assert "one Client per thread" in str(outcome["error"])
        assert c.get_bytes(prefix + "x") == b"x"  # and the client is fine
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
        c.close()


def test_clients_in_threads(settings, prefix):
    blobs = {f"t{i}": os.urandom(700_000 + i) for i in range(4)}
    with ossio.Client(settings=settings, env=False) as c:
        for k, v in blobs.items():
            c.put_bytes(v, prefix + k)
    local = threading.local()
    results, errors = {}, []

    def work(k):
        try:
            if not hasattr(local, "client"):
                local.client = ossio.Client(settings=settings, env=False)
            results[k] = local.client.get_bytes(prefix + k)
            with local.client.open(prefix + k, block_size=65536) as f:
                f.seek(1000)
                results[k + "/seek"] = f.read(5000)
            local.client.close()
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in blobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for k, v in blobs.items():
        assert results[k] == v
        assert results[k + "/seek"] == v[1000:6000]


def test_exception_in_a_callback_is_raised_and_cancels(settings, prefix, monkeypatch):
    """A failure inside a completion (here: building an Entry) reaches the
    caller as the exception, the listing is canceled, the client goes on."""
    with ossio.Client(settings=settings, env=False) as c:
        for i in range(3):
            c.put_bytes(b"", prefix + f"e{i}")

        def broken(**kw):
            raise KeyError("boom")

        monkeypatch.setattr(ossio.client, "Entry", broken)
        with pytest.raises(KeyError):
            list(c.ls(prefix))
        monkeypatch.undo()
        assert len(list(c.ls(prefix))) == 3
