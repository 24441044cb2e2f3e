"""Idempotency-Key against a real gunicorn server on loopback, on the suite's engine.

* **A lost 201.** A proxy between the client and the server forwards the request, reads the
  server's whole answer, and drops the client's connection instead of passing it on — the
  client saw the request sent and no answer. The client (``http.client``, a real socket) sends
  the request again with the same key, re-encoded with a new multipart boundary: it gets the
  answer it lost, byte for byte, and the database holds one case.
* **Concurrent duplicates.** Several clients send the same request with the same key at the
  same moment to a server with two workers: all get the same 201 and the database holds one
  case, one receipt, one ``cases:case:received`` event.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import uuid

import pytest

from tests.collection.test_crash import ROOT, run
from tests.factories import payload
from tests.security.test_crash_restart import (  # noqa: F401
    _kill_group,
    _multipart,
    _officer_token,
    _serve,
    _wait_ready,
    home,
)
from tests.support import free_port

pytestmark = pytest.mark.slow

COUNT_SCRIPT = r"""
import json
import django; django.setup()
from lawdesk.audit.models import Event
from lawdesk.cases.models import Case
print(json.dumps({"cases": Case.objects.count(),
                  "received": Event.objects.filter(action="cases:case:received").count(),
                  "replayed": Event.objects.filter(action="api:request:replayed").count()}))
"""


@pytest.fixture
def server(home):  # noqa: F811
    """A migrated, seeded home and a gunicorn server on a free loopback port."""
    tmp, env = home
    env["PYTHONPATH"] = f"{ROOT / 'src'}{os.pathsep}{ROOT}"  # this checkout's code
    run(env, "-m", "lawdesk", "migrate")
    run(env, "-m", "lawdesk", "demo", "seed", "--no-cases")
    token = _officer_token(env)
    port = free_port()
    proc = _serve(env, port, tmp / "server.log")
    _wait_ready(f"http://127.0.0.1:{port}", proc)
    yield env, port, token
    _kill_group(proc)


def _counts(env) -> dict:
    out = subprocess.run([sys.executable, "-c", COUNT_SCRIPT], env=env, capture_output=True,
                         text=True, cwd=ROOT, timeout=120, check=True)
    return json.loads(out.stdout.splitlines()[-1])


def _read_message(sock: socket.socket) -> bytes:
    """One HTTP/1.1 message (headers and a Content-Length body) from ``sock``."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class DroppingProxy(threading.Thread):
    """Forwards each connection to the server; drops the first ``drops`` answers on the floor."""

    def __init__(self, upstream_port: int, drops: int) -> None:
        super().__init__(daemon=True)
        self.upstream_port, self.drops = upstream_port, drops
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.lost: list[bytes] = []  # the answers the client never saw

    def run(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            with client:
                request = _read_message(client)
                with socket.create_connection(("127.0.0.1", self.upstream_port)) as upstream:
                    upstream.sendall(request)
                    answer = _read_message(upstream)
                if len(self.lost) < self.drops:
                    self.lost.append(answer)
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                      b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST, no answer
                    continue
                client.sendall(answer)


def _post(port: int, token: str, key: str, body: dict) -> tuple[int, dict[str, str], bytes]:
    data, boundary = _multipart(body)  # a new boundary on every call
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("POST", "/api/v1/requests", body=data, headers={
            "Authorization": f"Bearer {token}", "Idempotency-Key": key,
            "Content-Type": f"multipart/form-data; boundary={boundary}"})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _post_with_retries(port: int, token: str, key: str, body: dict, attempts: int = 4):
    errors: list[str] = []
    for _ in range(attempts):
        try:
            return (*_post(port, token, key, body), errors)
        except (ConnectionError, http.client.HTTPException) as exc:  # the answer was lost
            errors.append(type(exc).__name__)
    raise AssertionError(f"no answer after {attempts} attempts: {errors}")


def test_a_client_retrying_after_a_dropped_connection_gets_the_lost_answer(server):
    env, port, token = server
    proxy = DroppingProxy(port, drops=2)
    proxy.start()
    key = str(uuid.uuid4())
    body = payload(authority_file_number="RETRY-1")
    status, headers, content, errors = _post_with_retries(proxy.port, token, key, body)
    proxy.listener.close()
    assert len(errors) == 2  # two answers lost on the way
    assert all(b" 201 " in lost.split(b"\r\n", 1)[0] for lost in proxy.lost)
    lost_body = proxy.lost[0].partition(b"\r\n\r\n")[2]
    assert status == 201 and headers.get("Idempotent-Replayed") == "true"
    assert content == lost_body  # the answer the client lost, byte for byte
    assert _counts(env) == {"cases": 1, "received": 1, "replayed": 2}
    # Without the key the same retry would have made a second case:
    assert _post(port, token, str(uuid.uuid4()), body)[0] == 201
    assert _counts(env)["cases"] == 2


def test_concurrent_duplicates_make_one_case(server):
    env, port, token = server
    key, body = str(uuid.uuid4()), payload(authority_file_number="RACE-1")
    clients = 6
    barrier = threading.Barrier(clients)
    answers: list[tuple[int, dict[str, str], bytes]] = []

    def send() -> None:
        barrier.wait()
        answers.append(_post(port, token, key, body))

    threads = [threading.Thread(target=send) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(answers) == clients
    assert {status for status, _, _ in answers} == {201}
    assert len({content for _, _, content in answers}) == 1
    replayed = sum(1 for _, headers, _ in answers if headers.get("Idempotent-Replayed"))
    assert replayed == clients - 1
    counts = _counts(env)
    print(f"\nidempotency/race: {clients} concurrent duplicates → {counts['cases']} case, "
          f"{replayed} replayed answers")
    assert counts["cases"] == 1 and counts["received"] == 1
    assert "intact" in run(env, "-m", "lawdesk", "audit", "verify")
