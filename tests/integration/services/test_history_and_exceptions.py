"""An asset's history, and exceptions with their monthly report, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import NOW
from crew import Crew
from shotline.domain.errors import NotFound, PermissionDenied, ShotlineError
from shotline.services import exceptions, production
from shotline.services.assets import AssetKey
from shotline.services.history import asset_history
from support import row

FRONT = AssetKey("TEE-001", "Black", "front")
BACK = AssetKey("TEE-001", "Black", "back")
WHITE = AssetKey("TEE-001", "White", "front")
GATES = ("technical", "styling_fit", "brand_merch", "final_qc")
DECIDER = {"technical": "qc", "styling_fit": "cd", "brand_merch": "cd", "final_qc": "qc2"}


def later(hours: float) -> dt.datetime:
    return NOW + dt.timedelta(hours=hours)


def deliver_front(crew: Crew) -> None:
    """FRONT through every gate with one rework round, then delivered; WHITE gets a capture."""
    crew.import_rows([row()])
    crew.upload("photo", FRONT, "capture", submit=False, now=later(1))
    crew.upload("photo", WHITE, "capture", submit=False, now=later(1))
    crew.upload("retoucher", FRONT, "retouch", now=later(2))
    crew.decide("qc", FRONT, "technical", now=later(3))
    crew.decide(
        "cd", FRONT, "styling_fit", fail={"sleeve_length": ["fit_distortion"]}, now=later(4)
    )
    crew.upload("retoucher", FRONT, "retouch", now=later(5))
    for hour, gate in enumerate(GATES, start=6):
        crew.decide(DECIDER[gate], FRONT, gate, now=later(hour))
    with crew.app.uow() as uow:
        production.deliver(uow, crew["dam"], FRONT, ["pdp"], later(10))


# history


def test_history_holds_intake_uploads_decisions_and_delivery(crew: Crew) -> None:
    deliver_front(crew)
    with crew.app.uow() as uow:
        entries = asset_history(uow, crew["admin"], "TEE-001", "Black", "front")
    assert [e.kind for e in entries] == [
        "line_accepted",
        "version_uploaded",
        "version_uploaded",
        "submitted",
        "gate_passed",
        "gate_failed",
        "version_uploaded",
        "submitted",
        "gate_passed",
        "gate_passed",
        "gate_passed",
        "approved",
        "delivered",
    ]
    line = entries[0]
    assert (line.actor, line.asset, line.at) == ("merch", None, NOW)
    assert line.payload["sku"] == "TEE-001"
    assert {e.asset for e in entries[1:]} == {"Black / front"}
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert entries[5].actor == "cd"
    assert entries[5].payload["defects"] == ["fit_distortion"]
    assert (entries[-1].actor, entries[-1].at, entries[-1].payload["channels"]) == (
        "dam",
        later(10),
        ["pdp"],
    )


def test_history_filters_by_colorway_and_view(crew: Crew) -> None:
    deliver_front(crew)
    with crew.app.uow() as uow:
        whole = asset_history(uow, crew["admin"], "TEE-001")
        black = asset_history(uow, crew["admin"], "TEE-001", colorway="black")
        fronts = asset_history(uow, crew["admin"], "TEE-001", view="front")
        white = asset_history(uow, crew["admin"], "TEE-001", "White", "front")
    assert {e.asset for e in whole} == {None, "Black / front", "White / front"}
    assert {e.asset for e in black} == {None, "Black / front"}
    assert {e.asset for e in fronts} == {None, "Black / front", "White / front"}
    assert [(e.kind, e.asset) for e in white] == [
        ("line_accepted", None),
        ("version_uploaded", "White / front"),
    ]
    # The request line appears once, however many of its assets are asked for.
    assert [e.kind for e in whole].count("line_accepted") == 1


def test_history_of_an_unknown_asset_is_not_found(crew: Crew) -> None:
    crew.import_rows([row()])
    with crew.app.uow() as uow, pytest.raises(NotFound, match="no assets for SKU NOPE-1"):
        asset_history(uow, crew["admin"], "NOPE-1")
    with crew.app.uow() as uow, pytest.raises(NotFound):
        asset_history(uow, crew["admin"], "TEE-001", view="macro")


def test_history_shows_the_exceptions_of_the_asset_only(crew: Crew) -> None:
    crew.import_rows([row()])
    with crew.app.uow() as uow:
        exceptions.request_exception(
            uow, crew["producer"], "bypass_gate", "launch", [crew.asset_id(FRONT)], later(1)
        )
    with crew.app.uow() as uow:
        front = asset_history(uow, crew["admin"], "TEE-001", "Black", "front")
        white = asset_history(uow, crew["admin"], "TEE-001", "White", "front")
    assert [e.kind for e in front] == ["line_accepted", "exception_requested"]
    assert front[1].payload["reason"] == "launch"
    assert [e.kind for e in white] == ["line_accepted"]


def test_a_vendor_cannot_see_the_history_of_work_not_assigned_to_it(crew: Crew) -> None:
    from shotline.services import assignment

    crew.import_rows([row()])
    with crew.app.uow() as uow, pytest.raises(NotFound, match="assigned to Pixel Lab"):
        asset_history(uow, crew["vendor"], "TEE-001", "Black", "front")
    with crew.app.uow() as uow:
        assignment.assign(uow, crew["producer"], [FRONT], later(1), team="Pixel Lab")
    with crew.app.uow() as uow:
        entries = asset_history(uow, crew["vendor"], "TEE-001", "Black", "front")
    assert entries[0].kind == "line_accepted"
    assert entries[-1].kind == "assigned"
    with crew.app.uow() as uow, pytest.raises(NotFound):
        asset_history(uow, crew["vendor"], "TEE-001", "White", "front")


# exceptions


def request(
    crew: Crew,
    who: str = "producer",
    kind: str = "bypass_gate",
    at: dt.datetime = NOW,
    key: AssetKey = FRONT,
) -> int:
    with crew.app.uow() as uow:
        return exceptions.request_exception(
            uow, crew[who], kind, "launch date moved up", [crew.asset_id(key)], at
        )


def decide(crew: Crew, who: str, exception_id: int, grant: bool = True) -> str:
    with crew.app.uow() as uow:
        return exceptions.decide_exception(uow, crew[who], exception_id, grant, "ok", later(1))


def test_an_exception_is_requested_then_decided_once_by_a_grant_role(crew: Crew) -> None:
    crew.import_rows([row()])
    exception_id = request(crew)
    with crew.app.uow() as uow:
        (view,) = exceptions.list_exceptions(uow, crew["admin"])
    assert (view.id, view.kind, view.status, view.requested_by) == (
        exception_id,
        "bypass_gate",
        "requested",
        "producer",
    )
    assert view.asset_ids == [crew.asset_id(FRONT)]
    assert view.valid_until == NOW + dt.timedelta(days=7)  # the kind's max_days
    with pytest.raises(PermissionDenied, match="decided by creative_ops_manager"):
        decide(crew, "qc", exception_id)
    with pytest.raises(PermissionDenied):
        decide(crew, "admin", exception_id)
    assert decide(crew, "ops", exception_id) == "granted"
    with pytest.raises(ShotlineError, match=f"exception {exception_id} was already granted"):
        decide(crew, "cd", exception_id, grant=False)
    with crew.app.uow() as uow:
        assert [v.status for v in exceptions.list_exceptions(uow, crew["admin"])] == ["granted"]


def test_a_refused_exception_cannot_be_granted_later(crew: Crew) -> None:
    crew.import_rows([row()])
    exception_id = request(crew)
    assert decide(crew, "cd", exception_id, grant=False) == "refused"
    with pytest.raises(ShotlineError, match="was already refused"):
        decide(crew, "ops", exception_id)


def test_deciding_an_unknown_exception_is_not_found(crew: Crew) -> None:
    with pytest.raises(NotFound, match="no exception 99"):
        decide(crew, "ops", 99)


@pytest.mark.parametrize(
    ("kind", "reason", "days", "message"),
    [
        ("skip_review", "why", None, "unknown exception kind 'skip_review'; expected skip_intake"),
        ("bypass_gate", "  ", None, "an exception needs a reason"),
        ("bypass_gate", "why", 8, "a bypass_gate exception lasts 1 to 7 days"),
        ("bypass_gate", "why", 0, "a bypass_gate exception lasts 1 to 7 days"),
    ],
)
def test_a_bad_exception_request_is_refused(
    crew: Crew, kind: str, reason: str, days: int | None, message: str
) -> None:
    crew.import_rows([row()])
    with crew.app.uow() as uow, pytest.raises(ShotlineError, match=message):
        exceptions.request_exception(
            uow, crew["producer"], kind, reason, [crew.asset_id(FRONT)], NOW, days
        )
    with crew.app.uow() as uow:
        assert exceptions.list_exceptions(uow, crew["admin"]) == []


def test_list_filters_by_status_newest_first(crew: Crew) -> None:
    crew.import_rows([row()])
    first, second, third = request(crew), request(crew), request(crew, "ops", "old_naming")
    decide(crew, "ops", second)
    with crew.app.uow() as uow:
        everything = exceptions.list_exceptions(uow, crew["admin"])
        pending = exceptions.list_exceptions(uow, crew["admin"], "requested")
    assert [v.id for v in everything] == [third, second, first]
    assert [v.id for v in pending] == [third, first]


def test_the_report_groups_by_kind_status_and_requester_and_flags_recurring_kinds(
    crew: Crew,
) -> None:
    crew.import_rows([row()])
    november = [request(crew), request(crew, at=later(1)), request(crew, "cd", at=later(2))]
    decide(crew, "ops", november[0])
    decide(crew, "ops", november[1], grant=False)
    request(crew, "ops", "old_naming", at=later(3))
    request(crew, "ops", "old_naming", at=later(4))
    with crew.app.uow() as uow:
        report = exceptions.exceptions_report(uow, crew["admin"], month="2026-11")
    assert report.month == "2026-11"
    assert report.by_kind == {
        "bypass_gate": {"granted": 1, "refused": 1, "requested": 1},
        "old_naming": {"requested": 2},
    }
    assert report.by_requester == {"producer": 2, "ops": 2, "cd": 1}
    assert (report.recurring, report.threshold) == (["bypass_gate"], 3)
    # A third old_naming makes that kind recur too (at or above the threshold).
    request(crew, "ops", "old_naming", at=later(5))
    with crew.app.uow() as uow:
        report = exceptions.exceptions_report(uow, crew["admin"], month="2026-11")
    assert report.recurring == ["bypass_gate", "old_naming"]


def test_the_report_of_a_month_leaves_out_other_months(crew: Crew) -> None:
    crew.import_rows([row()])
    december = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    october = dt.datetime(2026, 10, 31, 23, 59, tzinfo=dt.UTC)
    for at in (october, NOW, december - dt.timedelta(seconds=1), december, december):
        request(crew, at=at)
    with crew.app.uow() as uow:
        by_month = {
            month: exceptions.exceptions_report(uow, crew["admin"], month=month)
            for month in ("2026-10", "2026-11", "2026-12", "2027-01")
        }
        all_time = exceptions.exceptions_report(uow, crew["admin"])
    totals = {m: sum(r.by_kind.get("bypass_gate", {}).values()) for m, r in by_month.items()}
    assert totals == {"2026-10": 1, "2026-11": 2, "2026-12": 2, "2027-01": 0}
    assert by_month["2027-01"].by_kind == {}
    assert by_month["2026-11"].recurring == []
    assert (all_time.month, all_time.by_kind, all_time.recurring) == (
        None,
        {"bypass_gate": {"requested": 5}},
        ["bypass_gate"],
    )


@pytest.mark.parametrize("month", ["2026-13", "November", "2026/11", "2026-11-01", ""])
def test_a_bad_month_gives_a_clear_error(crew: Crew, month: str) -> None:
    with crew.app.uow() as uow, pytest.raises(ShotlineError) as caught:
        exceptions.exceptions_report(uow, crew["admin"], month=month)
    assert str(caught.value) == f"expected a month like 2026-11, got {month!r}"
