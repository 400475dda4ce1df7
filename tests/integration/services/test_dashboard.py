"""The dashboard's eight answers on a small hand-made situation, on both databases."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import NOW
from crew import Crew
from shotline.adapters.db.models import CheckResult
from shotline.domain.errors import PermissionDenied
from shotline.services import production
from shotline.services.assets import AssetKey
from shotline.services.dashboard import dashboard
from shotline.services.metrics import build_report
from support import JEWELRY, row

FRONT = AssetKey("TEE-001", "Black", "front")
BACK = AssetKey("TEE-001", "Black", "back")
RING = AssetKey("RING-001", "Gold", "main")


def test_the_eight_questions(crew: Crew) -> None:
    crew.import_rows([row(colorways="Black"), row(JEWELRY, views="main")])
    crew.upload("retoucher", FRONT, "retouch")
    crew.decide("qc", FRONT, "technical", fail={"focus": ["focus"]})
    version = crew.upload("retoucher", BACK, "retouch")
    with crew.app.uow() as uow:
        production.block(uow, crew["producer"], RING, "sample missing", NOW)
    with crew.app.uow() as uow:
        uow.session.add(
            CheckResult(
                workspace_id=crew["admin"].workspace_id,
                version_id=version.version_id,
                check="exposure",
                passed=False,
                value=0.2,
                threshold=0.1,
                unit="",
                explanation="clipped",
                measured_at=NOW,
            )
        )
        uow.commit()
    with crew.app.uow() as uow:
        data = dashboard(uow, crew["admin"], NOW + dt.timedelta(hours=1))
    assert data["in_production"]["total"] == 2  # front back to capture, back in review

    assert data["waiting_for_review"] == {"technical": 1}
    assert data["blocked"] == 1
    assert data["failed_qc"]["failed_decisions"] == 1
    assert data["failed_qc"]["by_category"] == {"apparel": 1}
    assert data["failed_qc"]["versions_failing_checks"] == 1
    assert data["sla"] == {"overdue": 0, "at_risk": 0}
    # A month later every open asset, the blocked ring too, is past its due time.
    with crew.app.uow() as uow:
        later = dashboard(uow, crew["admin"], NOW + dt.timedelta(days=30))
    assert later["sla"]["overdue"] == 3
    assert data["ai_workflows"] == [] and data["teams"] == []


def test_vendors_read_neither_reports_nor_the_dashboard(crew: Crew) -> None:
    with crew.app.uow() as uow, pytest.raises(PermissionDenied, match="vendor"):
        dashboard(uow, crew["vendor"], NOW)
    with crew.app.uow() as uow, pytest.raises(PermissionDenied, match="vendor"):
        build_report(uow, crew["vendor"], NOW - dt.timedelta(days=7), NOW, NOW)
