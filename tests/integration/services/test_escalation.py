"""SLA check and escalation, and webhook delivery from the outbox, on both databases, with
webhooks pointing at a real HTTP receiver on 127.0.0.1.

TEE-001 imported at NOW (Wednesday 10:00 in New York) is catalog C1: 16 business hours, due
Friday 17:00 (Thanksgiving Thursday is a holiday). With nothing ahead done, the slow
estimates these tests set (8/8/4/4; the shipped ones are 4/4/1/2) need 8 + 8 + 4 x 4 + 4 = 36
hours, so every fresh asset is at risk at once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy import func, select

from conftest import NOW
from crew import Crew
from receiver import Receiver
from shotline.adapters.db.models import Base, Escalation, Event, Notification
from shotline.adapters.notify import webhooks
from shotline.domain.errors import PermissionDenied
from shotline.domain.sla_risk import StageEstimate
from shotline.services import policies
from shotline.services.assets import AssetKey
from shotline.services.escalation import Delivery, check_sla, deliver_notifications
from support import row

SECRET_ENV = "SHOTLINE_TEST_WEBHOOK_SECRET"
ENV = {SECRET_ENV: "s3cret"}
DUE = dt.datetime(2026, 11, 27, 22, 0, tzinfo=dt.UTC)
BLACK_FRONT = AssetKey("TEE-001", "Black", "front")
ONE_ASSET = {"colorways": "Black", "views": "front"}


def activate(crew: Crew, receiver: Receiver, extra: str = "") -> None:
    """The default policy plus a Slack webhook and a signed JSON webhook at the receiver."""
    # These tests were written against slow stage estimates (8/8/4/4 hours) so that a fresh
    # catalog asset is at risk at once; a test that wants others passes its own block.
    risk = (
        extra
        if "sla_risk:" in extra
        else ("sla_risk:\n  stage_hours: {capture: 8, retouch: 8, review: 4, delivery: 4}\n")
    )
    extra = "" if "sla_risk:" in extra else extra
    base = policies.default_policy_text()
    start = base.index("sla_risk:\n")
    end = base.index("\n\n", start) + 1 if "\n\n" in base[start:] else len(base)
    text = (
        base[:start]
        + risk
        + base[end:]
        + (
            "\nnotifications:\n"
            "  webhooks:\n"
            f"    ops_slack: {{kind: slack, url: '{receiver.url}/slack'}}\n"
            f"    ops_json: {{kind: json, url: '{receiver.url}/json', secret_env: {SECRET_ENV}}}\n"
            "  max_attempts: 3\n"
            "  backoff_seconds: 60\n" + extra
        )
    )
    with crew.app.uow() as uow:
        policies.activate_policy(uow, crew["admin"], text, "test", NOW)


@pytest.fixture
def hooked(crew: Crew, receiver: Receiver) -> Crew:
    activate(crew, receiver)
    return crew


def check(crew: Crew, at: dt.datetime = NOW, who: str = "ops") -> Any:
    with crew.app.uow() as uow:
        return check_sla(uow, crew[who], at)


def deliver(crew: Crew, at: dt.datetime = NOW, env: Mapping[str, str] = ENV, **kw: Any) -> Delivery:
    with crew.app.uow() as uow:
        return deliver_notifications(uow, at, environ=env, **kw)


def count(crew: Crew, model: type[Base], *where: Any) -> int:
    with crew.app.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def events(crew: Crew, kind: str) -> list[dict[str, Any]]:
    with crew.app.uow() as uow:
        query = select(Event.payload).where(Event.kind == kind).order_by(Event.id)
        return list(uow.session.scalars(query))


def outbox(crew: Crew) -> list[Any]:
    """The notifications, oldest first, as rows of plain values."""
    n = Notification
    columns = (n.status, n.attempts, n.next_attempt_at, n.sent_at, n.last_error)
    with crew.app.uow() as uow:
        return list(uow.session.execute(select(*columns).order_by(n.id)))


def test_each_at_risk_asset_is_escalated_once(hooked: Crew) -> None:
    hooked.import_rows([row()])
    report = check(hooked)
    assert list(report.by_track()) == ["catalog"]
    assert [(i.colorway, i.view) for i in report.items] == [
        ("Black", "front"), ("Black", "back"), ("White", "front"), ("White", "back"),
    ]  # fmt: skip
    first = report.items[0]
    assert (first.level, first.due_at, first.hours_left, first.hours_needed) == (
        "at_risk", DUE, 16, 36,
    )  # fmt: skip
    assert first.owner_role == "creative_ops_manager"
    assert first.steps[:3] == ("capture", "retouch", "review:technical")
    assert all(i.escalated for i in report.items)
    assert (report.escalations, report.notifications) == (4, 8)
    assert report.estimates["capture"] == StageEstimate(8, "policy", 0)
    [payload, *_] = events(hooked, "escalated")
    assert payload == {
        "escalation_id": 1, "level": "at_risk", "state": "requested", "gate": None,
        "track": "catalog", "owner_role": "creative_ops_manager", "due": DUE.isoformat(),
        "business_hours_left": 16, "business_hours_needed": 36, "steps": list(first.steps),
    }  # fmt: skip
    again = check(hooked, NOW + dt.timedelta(minutes=5))
    assert len(again.items) == 4 and not any(i.escalated for i in again.items)
    assert (again.escalations, again.notifications) == (0, 0)
    assert count(hooked, Escalation) == 4
    assert count(hooked, Notification, Notification.status == "pending") == 8
    assert len(events(hooked, "escalated")) == 4


def test_a_new_state_or_going_overdue_escalates_again(hooked: Crew) -> None:
    hooked.import_rows([row()])
    check(hooked)
    hooked.upload("photo", BLACK_FRONT, submit=False, now=NOW + dt.timedelta(hours=1))
    report = check(hooked, NOW + dt.timedelta(hours=2))
    assert [(i.colorway, i.view, i.state) for i in report.items if i.escalated] == [
        ("Black", "front", "in_capture")
    ]
    late = check(hooked, DUE + dt.timedelta(hours=1))
    assert {i.level for i in late.items} == {"overdue"}
    assert late.escalations == 4
    assert late.items[0].hours_left == -1  # Friday 17:00 to 18:00 in New York
    assert check(hooked, DUE + dt.timedelta(hours=2)).escalations == 0
    assert count(hooked, Escalation) == 4 + 1 + 4
    assert count(hooked, Escalation, Escalation.level == "overdue") == 4


def test_on_track_assets_are_not_listed(crew: Crew, receiver: Receiver) -> None:
    # Quick stages (1 business hour each): 1 + 1 + 4 + 1 = 7 hours needed, 16 left.
    activate(
        crew,
        receiver,
        "sla_risk:\n  stage_hours: {capture: 1, retouch: 1, review: 1, delivery: 1}\n",
    )
    crew.import_rows([row()])
    report = check(crew)
    assert report.items == () and report.escalations == 0
    # Friday 11:00 in New York: 6 hours left, 7 needed.
    assert {i.level for i in check(crew, DUE - dt.timedelta(hours=6)).items} == {"at_risk"}


def test_notifications_are_sent_signed_and_only_once(hooked: Crew, receiver: Receiver) -> None:
    hooked.import_rows([row()])
    check(hooked)
    assert deliver(hooked) == Delivery(8, 0)
    slack, signed = receiver.bodies("/slack"), receiver.bodies("/json")
    assert len(slack) == 4 and all(list(body) == ["text"] for body in slack)
    assert slack[0]["text"].startswith("At risk: TEE-001 / Black / front on catalog")
    assert {b["type"] for b in signed} == {"shotline.sla.escalated"}
    assert {b["escalation_id"] for b in signed} == {1, 2, 3, 4}
    for path, headers, body in receiver.requests:
        if path == "/json":
            assert webhooks.verify(b"s3cret", body, headers)
    assert [(n.status, n.attempts, n.sent_at) for n in outbox(hooked)] == [("sent", 1, NOW)] * 8
    assert len(events(hooked, "notification_sent")) == 8
    # Checking and delivering again sends nothing more.
    check(hooked, NOW + dt.timedelta(minutes=1))
    assert deliver(hooked, NOW + dt.timedelta(days=3)) == Delivery(0, 0)
    assert len(receiver.requests) == 8


def test_retry_with_backoff_until_the_receiver_recovers(hooked: Crew, receiver: Receiver) -> None:
    hooked.import_rows([row(**ONE_ASSET)])
    check(hooked)
    receiver.statuses = [500, 500]
    assert deliver(hooked) == Delivery(0, 2)
    rows = outbox(hooked)
    assert [(n.status, n.attempts, n.next_attempt_at) for n in rows] == [
        ("pending", 1, NOW + dt.timedelta(seconds=60))
    ] * 2
    assert rows[0].last_error == "HTTP 500 Internal Server Error"
    assert deliver(hooked, NOW + dt.timedelta(seconds=59)) == Delivery(0, 0)
    assert deliver(hooked, NOW + dt.timedelta(seconds=60)) == Delivery(2, 0)
    assert [(n.status, n.attempts, n.last_error) for n in outbox(hooked)] == [("sent", 2, "")] * 2
    assert len(receiver.requests) == 4


def test_gives_up_after_max_attempts(hooked: Crew, receiver: Receiver) -> None:
    hooked.import_rows([row(**ONE_ASSET)])
    check(hooked)
    receiver.statuses = [500] * 6
    assert deliver(hooked) == Delivery(0, 2)
    second = NOW + dt.timedelta(seconds=60)
    assert deliver(hooked, second) == Delivery(0, 2)
    # The delay doubles: 60 s after the first failure, 120 s after the second.
    third = second + dt.timedelta(seconds=120)
    assert {n.next_attempt_at for n in outbox(hooked)} == {third}
    assert deliver(hooked, third) == Delivery(0, 2)
    assert [(n.status, n.attempts) for n in outbox(hooked)] == [("failed", 3)] * 2
    failed = events(hooked, "notification_failed")
    assert [(e["webhook"], e["attempts"], e["error"]) for e in failed] == [
        ("ops_slack", 3, "HTTP 500 Internal Server Error"),
        ("ops_json", 3, "HTTP 500 Internal Server Error"),
    ]
    assert deliver(hooked, NOW + dt.timedelta(days=1)) == Delivery(0, 0)
    assert len(receiver.requests) == 6


def test_a_missing_secret_is_a_failed_attempt(hooked: Crew, receiver: Receiver) -> None:
    hooked.import_rows([row(**ONE_ASSET)])
    check(hooked)
    assert deliver(hooked, env={}) == Delivery(1, 1)
    [slack, signed] = outbox(hooked)
    assert (slack.status, signed.status) == ("sent", "pending")
    assert signed.last_error == f"environment variable {SECRET_ENV} (the webhook secret) is not set"
    assert [p for p, _, _ in receiver.requests] == ["/slack"]


def test_two_deliverers_at_once_send_each_notification_once(hooked: Crew) -> None:
    hooked.import_rows([row(**ONE_ASSET)])
    check(hooked)
    posted: list[str] = []

    def inner(url: str, body: bytes, headers: Mapping[str, str]) -> str | None:
        posted.append(headers["X-Shotline-Delivery"])
        return None

    def outer(url: str, body: bytes, headers: Mapping[str, str]) -> str | None:
        posted.append(headers["X-Shotline-Delivery"])
        if len(posted) == 1:  # a second deliverer runs while the first is sending
            assert deliver(hooked, post=inner) == Delivery(1, 0)
        return None

    assert deliver(hooked, post=outer) == Delivery(1, 0)
    assert sorted(posted) == ["1", "2"]
    assert [n.status for n in outbox(hooked)] == ["sent", "sent"]


def test_who_may_check(hooked: Crew) -> None:
    hooked.import_rows([row(**ONE_ASSET)])
    for who in ("photo", "vendor", "merch"):
        with pytest.raises(PermissionDenied):
            check(hooked, who=who)
        with pytest.raises(PermissionDenied):
            deliver(hooked, actor=hooked[who])
    assert check(hooked, who="producer").escalations == 1
    assert deliver(hooked, actor=hooked["admin"], post=lambda *_: None) == Delivery(2, 0)


def test_history_replaces_the_policy_estimate(crew: Crew, receiver: Receiver) -> None:
    activate(
        crew,
        receiver,
        "sla_risk:\n  stage_hours: {capture: 8, retouch: 8, review: 4, delivery: 4}\n"
        "  min_samples: 1\n",
    )
    crew.import_rows([row(colorways="Black")])
    # Black/front's capture took 2 business hours (uploaded and submitted at once).
    crew.upload("photo", BLACK_FRONT, now=NOW + dt.timedelta(hours=2))
    report = check(crew, NOW + dt.timedelta(hours=3))
    assert report.estimates["capture"] == StageEstimate(2, "history", 1)
    assert report.estimates["review"] == StageEstimate(4, "policy", 0)
    needed = {(i.view, i.state): i.hours_needed for i in report.items}
    assert needed == {("front", "in_review"): 4 * 4 + 4, ("back", "requested"): 2 + 8 + 16 + 4}
