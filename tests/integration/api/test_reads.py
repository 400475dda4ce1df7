"""Dashboard, report, assets, history and queues through HTTP: the services' documents, typed
and complete (nothing the service says is lost on the way)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from conftest import NOW
from crew import Crew
from integration.api.caller import Caller
from shotline.services.assets import AssetKey
from shotline.services.dashboard import dashboard
from shotline.services.metrics import build_report
from support import row

FRONT = AssetKey("TEE-001", "Black", "front")
DASHBOARD_KEYS = {
    "at", "window_days", "in_production", "waiting_for_review", "blocked", "sla", "failed_qc",
    "teams", "ai_workflows",
}  # fmt: skip
REPORT_KEYS = {
    "period", "by", "assets_approved", "assets_delivered", "first_pass_approval_rate",
    "rework_rate", "avg_rework_rounds", "rework_reasons", "preventable_rework_share",
    "sla_hit_rate", "shoot_to_live_hours", "cost_total", "cost_estimated_share",
    "cost_per_image", "cost_per_sku", "ai_rejection_rate", "ai_versions_reviewed",
    "ai_rejections_by_defect", "ai_rejection_by_workflow", "throughput",
}  # fmt: skip


@pytest.fixture
def worked(crew: Crew) -> Crew:
    """TEE-001 (four assets): Black front passed technical, failed styling_fit, and is back
    in retouch; Black back waits at technical."""
    crew.import_rows([row()])
    crew.upload("retoucher", FRONT, "retouch")
    crew.decide("qc", FRONT, "technical")
    crew.decide("cd", FRONT, "styling_fit", fail={"sleeve_length": ["fit_distortion"]})
    crew.upload("retoucher", AssetKey("TEE-001", "Black", "back"), "retouch")
    return crew


def _plain(document: dict[str, Any]) -> Any:
    """The service's dict as JSON would carry it."""
    return json.loads(json.dumps(document))


def _moment(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_the_dashboard_is_the_services_document(call: Caller, worked: Crew) -> None:
    response = call.get("ops", "/api/v1/dashboard")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == DASHBOARD_KEYS
    with worked.app.uow() as uow:
        expected = _plain(dashboard(uow, worked["ops"], NOW))
    assert _moment(body.pop("at")) == _moment(expected.pop("at")) == NOW
    assert body == expected
    assert body["waiting_for_review"] == {"technical": 1}
    assert body["failed_qc"]["failed_decisions"] == 1


def test_the_report_is_the_services_document(call: Caller, worked: Crew) -> None:
    url = "/api/v1/report?from=2026-11-01&to=2026-12-01T00:00:00%2B00:00&by=track"
    response = call.get("ops", url)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == REPORT_KEYS
    start, end = dt.datetime(2026, 11, 1, tzinfo=dt.UTC), dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    with worked.app.uow() as uow:
        expected = _plain(build_report(uow, worked["ops"], start, end, NOW, "track"))
    period, expected_period = body.pop("period"), expected.pop("period")
    assert [_moment(period["from"]), _moment(period["to"])] == [start, end]
    assert [_moment(expected_period["from"]), _moment(expected_period["to"])] == [start, end]
    assert body == expected
    assert set(body["by"]["track"]["catalog"]) == REPORT_KEYS - {"period", "by"}
    assert body["rework_reasons"] == {"fit_distortion": 1}


def test_the_report_covers_the_last_30_days_by_default(call: Caller, crew: Crew) -> None:
    period = call.get("ops", "/api/v1/report").json()["period"]
    assert _moment(period["to"]) == NOW
    assert _moment(period["from"]) == NOW - dt.timedelta(days=30)


@pytest.mark.parametrize(
    ("query", "status", "detail"),
    [
        ("by=colour", 400, "unknown dimension 'colour'; expected category, track, "),
        ("from=2026-11-10&to=2026-11-01", 400, "the period is empty: --to must be after --from"),
    ],
)
def test_a_bad_report_query_is_refused_with_the_reason(
    call: Caller, crew: Crew, query: str, status: int, detail: str
) -> None:
    response = call.get("ops", f"/api/v1/report?{query}")
    assert response.status_code == status
    assert response.json()["detail"].startswith(detail)


def test_a_malformed_date_is_refused(call: Caller, crew: Crew) -> None:
    response = call.get("ops", "/api/v1/report?from=last-tuesday")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "from"]


def test_assets_are_listed_with_the_total(call: Caller, worked: Crew) -> None:
    page = call.get("producer", "/api/v1/assets?sku=TEE-001&limit=3").json()
    assert page["total"] == 4 and len(page["assets"]) == 3
    assert set(page["assets"][0]) == {
        "id", "sku", "colorway", "view", "category", "track", "complexity", "priority",
        "state", "due_at",
    }  # fmt: skip
    in_review = call.get("producer", "/api/v1/assets?state=in_review").json()
    assert [(a["colorway"], a["view"]) for a in in_review["assets"]] == [("Black", "back")]
    assert call.get("producer", "/api/v1/assets?limit=0").status_code == 422


def test_the_history_of_an_asset_comes_from_the_event_log(call: Caller, worked: Crew) -> None:
    response = call.get("producer", "/api/v1/assets/TEE-001/black/front/history")
    assert response.status_code == 200, response.text
    entries = response.json()
    assert [e["kind"] for e in entries] == [
        "line_accepted", "version_uploaded", "submitted", "gate_passed", "gate_failed",
    ]  # fmt: skip
    failed = entries[-1]
    assert (failed["actor"], failed["asset"]) == ("cd", "Black / front")
    assert failed["payload"]["defects"] == ["fit_distortion"]
    assert _moment(failed["at"]) == NOW
    missing = call.get("producer", "/api/v1/assets/NOPE/Black/front/history")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "no assets for SKU NOPE in workspace default"}


def test_a_queue_shows_sla_badges_and_refuses_unknown_filters(call: Caller, worked: Crew) -> None:
    items = call.get("producer", "/api/v1/queues/catalog/retouch").json()
    assert [(x["sku"], x["colorway"], x["view"], x["state"]) for x in items] == [
        ("TEE-001", "Black", "front", "in_retouch")
    ]
    assert items[0]["sla_state"] in ("on_track", "at_risk", "late")
    technical = call.get("producer", "/api/v1/queues/catalog/technical").json()
    assert [(x["view"], x["gate"], x["stage"]) for x in technical] == [
        ("back", "technical", "technical")
    ]
    boat = call.get("producer", "/api/v1/queues/boat/capture")
    assert boat.status_code == 400
    assert boat.json()["detail"].startswith("unknown track 'boat'; expected one of ")
    studio = call.get("producer", "/api/v1/queues/catalog/capture?vendor=Studio")
    assert studio.status_code == 404
