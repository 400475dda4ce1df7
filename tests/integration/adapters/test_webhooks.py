"""Webhook payloads, signing and posting, against a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from shotline.adapters.notify import webhooks

SECRET = b"s3cret"
TIMESTAMP = 1795618800
MESSAGE: dict[str, Any] = {
    "workspace": "default",
    "escalation_id": 7,
    "level": "overdue",
    "sku": "TEE-001",
    "colorway": "Black",
    "view": "front",
    "track": "catalog",
    "state": "in_review",
    "gate": "technical",
    "due_at": "2026-11-27T22:00:00+00:00",
    "business_hours_left": -1.5,
    "business_hours_needed": 20.0,
    "owner_role": "creative_ops_manager",
    "escalated_at": "2026-11-30T15:30:00+00:00",
}


@dataclass
class Receiver:
    """A local HTTP receiver: records each request, answers with the next queued status
    (200 once the queue is empty), optionally after a delay."""

    statuses: list[int] = field(default_factory=list)
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)
    delay: float = 0.0
    url: str = ""

    def handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((self.path, dict(self.headers), body))
                time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if status in (301, 302, 307):
                    self.send_header("Location", "/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (the timeout test) is not the receiver's failure


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    # A proxy configured on the test machine must not stand between us and 127.0.0.1.
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(name, "127.0.0.1")
    rec = Receiver()
    server = _Server(("127.0.0.1", 0), rec.handler())
    rec.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/sla"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield rec
    server.shutdown()
    server.server_close()
    thread.join()


def test_sign_is_hmac_sha256_hex() -> None:
    # RFC 4231, test case 2.
    assert webhooks.sign(b"Jefe", b"what do ya want for nothing?") == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )


def test_signed_json_webhook_verifies_with_the_secret(receiver: Receiver) -> None:
    body, headers = webhooks.build_request("json", MESSAGE, SECRET, TIMESTAMP, "42")
    assert webhooks.post(receiver.url, body, headers) is None
    [(path, got, received)] = receiver.requests
    assert path == "/hooks/sla"
    assert received == body
    assert json.loads(received) == {"type": "shotline.sla.escalated", **MESSAGE}
    assert got["Content-Type"] == "application/json"
    assert got["X-Shotline-Delivery"] == "42"
    assert got["X-Shotline-Timestamp"] == str(TIMESTAMP)
    # What a receiver computes on its own: HMAC-SHA256 of "<timestamp>.<body>".
    expected = hmac.new(SECRET, f"{TIMESTAMP}.".encode() + received, hashlib.sha256).hexdigest()
    assert got["X-Shotline-Signature"] == f"sha256={expected}"
    assert webhooks.verify(SECRET, received, got)
    assert not webhooks.verify(b"wrong", received, got)
    assert not webhooks.verify(SECRET, received.replace(b"TEE", b"TOP"), got)
    assert not webhooks.verify(SECRET, received, {**got, "X-Shotline-Timestamp": "1795618801"})


def test_slack_payload_is_one_text_field(receiver: Receiver) -> None:
    message = {**MESSAGE, "sku": "<TEE & CO>", "level": "at_risk", "gate": None}
    message["state"] = "in_capture"
    body, headers = webhooks.build_request("slack", message, None, TIMESTAMP, "1")
    assert webhooks.post(receiver.url, body, headers) is None
    [(_, got, received)] = receiver.requests
    payload = json.loads(received)
    assert list(payload) == ["text"]
    assert payload["text"] == (
        "At risk: &lt;TEE &amp; CO&gt; / Black / front on catalog (in_capture), due "
        "2026-11-27T22:00:00+00:00; -1.5 business hours left, 20.0 needed. "
        "Escalated to creative_ops_manager."
    )
    assert "X-Shotline-Signature" not in got


def test_server_errors_and_redirects_are_reported_not_raised(receiver: Receiver) -> None:
    receiver.statuses = [500, 302]
    body, headers = webhooks.build_request("json", MESSAGE, SECRET, TIMESTAMP, "1")
    assert webhooks.post(receiver.url, body, headers) == "HTTP 500 Internal Server Error"
    # A redirect is not followed: the body goes only where the policy says.
    assert webhooks.post(receiver.url, body, headers) == "HTTP 302 Found"
    assert len(receiver.requests) == 2


def test_network_failures_are_reported_not_raised(receiver: Receiver) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    error = webhooks.post(f"http://127.0.0.1:{closed}/x", b"{}", {})
    assert error is not None and error.startswith("network error: ")
    assert webhooks.post("file:///etc/passwd", b"{}", {}) == (
        "refused: 'file:///etc/passwd' is not an http(s) URL"
    )
    receiver.delay = 0.5
    error = webhooks.post(receiver.url, b"{}", {}, timeout=0.1)
    assert error is not None and "timed out" in error
