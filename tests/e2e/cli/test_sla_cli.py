"""`shotline sla check` and `shotline sla notify`, end to end, with webhooks at a local HTTP
receiver on 127.0.0.1.

Intake reads the real clock, so the SLA commands run at a fixed time 60 days later, when
every imported asset is overdue whatever day the tests run on.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from receiver import Receiver
from shotline.adapters.db.models import Escalation, Notification
from shotline.adapters.notify import webhooks
from shotline.entrypoints.cli import sla
from shotline.services.policies import default_policy_text
from support import row, write_csv

SECRET_ENV = "SHOTLINE_TEST_WEBHOOK_SECRET"
LATER = dt.datetime.now(dt.UTC) + dt.timedelta(days=60)


@pytest.fixture
def hooked(ready: Any, receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A workspace whose policy sends escalations to the receiver, TEE-001 imported (four
    catalog assets), and the SLA commands' clock 60 days on."""
    policy = tmp_path / "policy.yaml"
    policy.write_text(
        default_policy_text()
        + "\nnotifications:\n  webhooks:\n"
        + f"    ops_slack: {{kind: slack, url: '{receiver.url}/slack'}}\n"
        + f"    ops_json: {{kind: json, url: '{receiver.url}/json', secret_env: {SECRET_ENV}}}\n",
        encoding="utf-8",
    )
    ready.ok("policy", "activate", str(policy))
    ready.ok("intake", "import", str(write_csv(tmp_path / "tees.csv", [row()])))
    monkeypatch.setattr(sla, "now", lambda: LATER)
    ready.env[SECRET_ENV] = "s3cret"
    return ready


def test_check_lists_escalates_and_notifies_once(hooked: Any, receiver: Receiver) -> None:
    out = hooked.ok("sla", "check").stdout
    assert "catalog: 4 overdue (escalation owner creative_ops_manager)" in out
    assert out.count("TEE-001") == 4
    assert "4 new escalation(s), 8 notification(s) queued\n" in out
    assert out.endswith("notifications: 8 sent, 0 failed\n")
    assert sorted(p for p, _, _ in receiver.requests) == ["/json"] * 4 + ["/slack"] * 4
    for path, headers, body in receiver.requests:
        if path == "/json":
            assert webhooks.verify(b"s3cret", body, headers)
            assert headers["X-Shotline-Timestamp"] == str(int(LATER.timestamp()))
    again = hooked.ok("sla", "check").stdout
    assert "catalog: 4 overdue" in again
    assert "0 new escalation(s), 0 notification(s) queued\n" in again
    assert again.endswith("notifications: 0 sent, 0 failed\n")
    assert len(receiver.requests) == 8
    assert (hooked.count(Escalation), hooked.count(Notification)) == (4, 8)


def test_json_without_notifying_then_notify(hooked: Any, receiver: Receiver) -> None:
    report = json.loads(hooked.ok("sla", "check", "--json", "--no-notify").stdout)
    [items] = report["tracks"].values()
    assert list(report["tracks"]) == ["catalog"]
    assert {(i["level"], i["escalated"], i["owner_role"]) for i in items} == {
        ("overdue", True, "creative_ops_manager")
    }
    assert items[0]["steps"][0] == "capture"
    assert (report["escalations"], report["notifications_queued"]) == (4, 8)
    assert report["estimates"]["review"] == {"hours": 1.0, "source": "policy", "samples": 0}
    assert report["delivered"] is None
    assert receiver.requests == []
    # Without the secret the signed webhook cannot be sent; Slack still is.
    out = hooked.ok("sla", "notify", **{SECRET_ENV: None}).stdout
    assert out == "notifications: 4 sent, 4 failed\n"
    assert hooked.ok("sla", "notify").stdout == "notifications: 0 sent, 0 failed\n"
    assert len(receiver.requests) == 4


def test_periodic_runs(hooked: Any) -> None:
    out = hooked.ok("sla", "check", "--every", "0", "--times", "3", "--json", "--no-notify")
    runs = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["escalations"] for r in runs] == [4, 0, 0]


def test_nothing_to_escalate(ready: Any) -> None:
    out = ready.ok("sla", "check", "--no-notify").stdout
    assert out == "no at-risk or overdue assets\n0 new escalation(s), 0 notification(s) queued\n"


def test_only_people_who_route_work_may_check(hooked: Any) -> None:
    hooked.ok("users", "add", "pia", "--role", "photographer")
    error = hooked.fail(1, "--as", "pia", "sla", "check")
    assert "pia cannot check SLAs in workspace default" in error
    assert "pia cannot check SLAs" in hooked.fail(1, "--as", "pia", "sla", "notify")
    hooked.ok("users", "add", "prod", "--role", "producer")
    assert "4 new escalation(s)" in hooked.ok("--as", "prod", "sla", "check").stdout
