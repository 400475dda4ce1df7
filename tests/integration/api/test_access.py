"""The access matrix through HTTP: roles decide what a token may do, and a vendor's token
sees only the vendor's own work."""

from __future__ import annotations

import pytest

from conftest import NOW
from crew import Crew
from integration.api.caller import Caller, decision_body
from shotline.services import assignment
from shotline.services.assets import AssetKey
from support import row

FRONT = AssetKey("TEE-001", "Black", "front")
A, B, C = (AssetKey(sku, "Black", "front") for sku in "ABC")
CATALOG_CAPTURE = "/api/v1/queues/catalog/capture"


def _history(key: AssetKey) -> str:
    return f"/api/v1/assets/{key.sku}/{key.colorway}/{key.view}/history"


@pytest.fixture
def shared(crew: Crew) -> Crew:
    """A, B and C in capture: B assigned to the vendor Pixel Lab, C to an in-house retoucher."""
    crew.import_rows([row(sku=sku, colorways="Black", views="front") for sku in "ABC"])
    with crew.app.uow() as uow:
        assignment.assign(uow, crew["producer"], [B], NOW, team="Pixel Lab")
    with crew.app.uow() as uow:
        assignment.assign(uow, crew["producer"], [C], NOW, username="retoucher")
    return crew


def test_a_photographer_cannot_decide_a_gate(call: Caller, crew: Crew) -> None:
    crew.import_rows([row()])
    crew.upload("retoucher", FRONT, "retouch")
    url = "/api/v1/assets/TEE-001/Black/front/decisions"
    response = call.post("photo", url, json=decision_body(crew, "technical"))
    assert response.status_code == 403
    assert response.json() == {
        "detail": "the technical gate is decided by qc_lead, retouching_lead; you hold photographer"
    }
    assert crew.state(FRONT) == ("in_review", "technical", 0)


@pytest.mark.parametrize(
    ("url", "detail"),
    [
        ("/api/v1/dashboard", "vendor works for a vendor and cannot read the dashboard"),
        ("/api/v1/report", "vendor works for a vendor and cannot read reports"),
        ("/api/v1/assets", "vendor works for a vendor and sees only its own work"),
    ],
)
def test_a_vendor_cannot_read_workspace_wide_views(
    call: Caller, shared: Crew, url: str, detail: str
) -> None:
    response = call.get("vendor", url)
    assert response.status_code == 403
    assert response.json()["detail"].startswith(detail)
    assert call.get("ops", url).status_code == 200


def test_a_vendor_sees_only_its_own_work_in_queues_and_mine(call: Caller, shared: Crew) -> None:
    def skus(who: str, url: str) -> list[str]:
        response = call.get(who, url)
        assert response.status_code == 200, response.text
        return sorted(item["sku"] for item in response.json())

    assert skus("vendor", CATALOG_CAPTURE) == ["B"]
    assert skus("vendor", f"{CATALOG_CAPTURE}?assignee=retoucher") == []
    assert skus("vendor", "/api/v1/work/mine") == ["B"]
    assert skus("producer", CATALOG_CAPTURE) == ["A", "B", "C"]
    assert skus("retoucher", "/api/v1/work/mine") == ["C"]


def test_a_vendor_reads_the_history_of_its_own_assets_only(call: Caller, shared: Crew) -> None:
    assert call.get("vendor", _history(B)).status_code == 200
    response = call.get("vendor", _history(A))
    assert response.status_code == 404
    assert response.json() == {"detail": "no asset A / Black / front assigned to Pixel Lab"}
    assert call.get("producer", _history(A)).status_code == 200
