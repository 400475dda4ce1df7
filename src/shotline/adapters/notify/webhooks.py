"""Webhooks: Slack-compatible incoming-webhook JSON, and a generic JSON webhook signed with
HMAC-SHA256. Standard library only (urllib), so no HTTP client dependency.

Signing: `X-Shotline-Timestamp` is the Unix time of the attempt and `X-Shotline-Signature` is
`sha256=` + the hex HMAC-SHA256, keyed with the webhook's secret, of `<timestamp>.<body>`
(the timestamp, a dot, then the exact body bytes). Covering the timestamp lets a receiver
refuse replays of an old request; `X-Shotline-Delivery` names the delivery, so a receiver
can drop a retry it has already handled.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

SIGNATURE_HEADER = "X-Shotline-Signature"
TIMESTAMP_HEADER = "X-Shotline-Timestamp"
DELIVERY_HEADER = "X-Shotline-Delivery"
EVENT_TYPE = "shotline.sla.escalated"
DEFAULT_TIMEOUT = 10.0
# Error texts are stored on the outbox row; a receiver's whole error page is not useful there.
_MAX_ERROR = 300
_LEVEL_LABELS = {"overdue": "Overdue", "at_risk": "At risk"}


def slack_payload(message: Mapping[str, Any]) -> dict[str, str]:
    """A Slack incoming-webhook body: one line of text about the escalation."""
    asset = " / ".join(_slack_escape(str(message[k])) for k in ("sku", "colorway", "view"))
    level = _LEVEL_LABELS.get(str(message["level"]), str(message["level"]))
    where = str(message["state"]) + (f" at {message['gate']}" if message.get("gate") else "")
    text = (
        f"{level}: {asset} on {_slack_escape(str(message['track']))} ({where}), "
        f"due {message['due_at']}; {message['business_hours_left']:.1f} business hours left, "
        f"{message['business_hours_needed']:.1f} needed. "
        f"Escalated to {message['owner_role']}."
    )
    return {"text": text}


def _slack_escape(text: str) -> str:
    # Slack reads &, < and > as markup (links, mentions); names must show as typed.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def json_payload(message: Mapping[str, Any]) -> dict[str, Any]:
    """The generic webhook body: the escalation's facts under a `type` a receiver can route on."""
    return {"type": EVENT_TYPE, **message}


def encode(payload: Mapping[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact JSON with sorted keys."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode("utf-8")


def sign(secret: bytes, body: bytes) -> str:
    """Hex HMAC-SHA256 of `body` keyed with `secret`."""
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def signature_headers(secret: bytes, body: bytes, timestamp: int) -> dict[str, str]:
    """The signature and timestamp headers for one attempt (see the module docstring)."""
    signed = f"{timestamp}.".encode() + body
    return {SIGNATURE_HEADER: f"sha256={sign(secret, signed)}", TIMESTAMP_HEADER: str(timestamp)}


def verify(secret: bytes, body: bytes, headers: Mapping[str, str]) -> bool:
    """What a receiver checks: the signature header matches the timestamp and body."""
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    given = headers.get(SIGNATURE_HEADER, "")
    if not timestamp.isdigit():
        return False
    expected = signature_headers(secret, body, int(timestamp))[SIGNATURE_HEADER]
    return hmac.compare_digest(expected, given)


def build_request(
    kind: str, message: Mapping[str, Any], secret: bytes | None, timestamp: int, delivery: str
) -> tuple[bytes, dict[str, str]]:
    """Body and headers for a webhook of `kind` ("slack" or "json"); signed when a secret
    is configured."""
    payload = slack_payload(message) if kind == "slack" else json_payload(message)
    body = encode(payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "shotline-webhooks",
        DELIVERY_HEADER: delivery,
    }
    if secret is not None:
        headers |= signature_headers(secret, body, timestamp)
    return body, headers


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirected POST would go, unsigned-for and re-shaped, to a URL nobody configured.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def post(
    url: str, body: bytes, headers: Mapping[str, str], timeout: float = DEFAULT_TIMEOUT
) -> str | None:
    """POST `body` to `url`. None when the receiver answered 2xx; otherwise the reason, as
    text. HTTP and network failures never raise: the caller retries later."""
    if not url.lower().startswith(("http://", "https://")):
        return f"refused: {url!r} is not an http(s) URL"
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return _short(f"HTTP {exc.code} {exc.reason}")
    except urllib.error.URLError as exc:
        return _short(f"network error: {exc.reason}")
    except (OSError, ValueError) as exc:  # timeouts, resets, malformed URLs
        return _short(f"{type(exc).__name__}: {exc}")
    return None if 200 <= status < 300 else _short(f"HTTP {status}")


def _short(text: str) -> str:
    return text if len(text) <= _MAX_ERROR else text[: _MAX_ERROR - 3] + "..."
