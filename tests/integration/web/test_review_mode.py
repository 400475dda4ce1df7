"""Review mode: a reviewer works through a gate's queue one asset at a time (pass, fail with
a defect, skip, back), and only ever sees what they may decide."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import NOW
from crew import Crew
from integration.web.test_asset_page import png_bytes
from shotline.adapters.db.models import GateDecision
from shotline.services import production
from shotline.services.assets import AssetKey
from support import row

KEYS = [AssetKey("TEE-001", c, v) for c in ("Black", "White") for v in ("front", "back")]


@pytest.fixture
def in_review(crew: Crew, tmp_path: Path) -> list[int]:
    """Four tee assets in review at the technical gate; their ids in queue order."""
    crew.import_rows([row()])
    for n, key in enumerate(KEYS):
        path = tmp_path / f"v{n}.png"
        path.write_bytes(png_bytes(shade=100 + n))
        with crew.app.uow() as uow:
            production.upload_version(
                uow, crew["retoucher"], key, production.Upload(path, "retouch"), NOW, submit=True
            )
    ids = [crew.asset_id(key) for key in KEYS]
    return sorted(ids)  # same due time and priority: queue order is by id


def head(page_text: str) -> int:
    marker = 'name="asset_id" value="'
    start = page_text.index(marker) + len(marker)
    return int(page_text[start : page_text.index('"', start)])


def test_the_index_lists_the_gates_a_reviewer_decides(browser, in_review: list[int]) -> None:
    page = browser("qc").get("/review")
    assert page.status_code == 200
    assert 'href="/review/technical"' in page.text and 'href="/review/final_qc"' in page.text
    # qc_lead does not decide styling: no such queue offered.
    assert 'href="/review/styling_fit"' not in page.text
    assert "You decide no review gate" in browser("photo").get("/review").text


def test_pass_then_fail_with_a_defect_walks_the_queue(
    browser, crew: Crew, in_review: list[int]
) -> None:
    qc = browser("qc")
    page = qc.get("/review/technical")
    assert page.status_code == 200 and "4 waiting" in page.text
    first = head(page.text)
    assert first == in_review[0]
    done = qc.post(
        "/review/technical/decision",
        {"asset_id": str(first), "gate": "technical", "version": "1", "verdict": "pass_all"},
        token_from="/review/technical",
    )
    assert done.status_code == 303 and done.headers["location"] == "/review/technical"
    page = qc.get("/review/technical")
    assert head(page.text) == in_review[1] and "3 waiting" in page.text
    done = qc.post(
        "/review/technical/decision",
        {
            "asset_id": str(in_review[1]),
            "gate": "technical",
            "version": "1",
            "verdict": "fail_defect",
            "quick_defects": "white_balance",
            "regions": "5,5,10,10,cast on the collar",
        },
        token_from="/review/technical",
    )
    assert done.status_code == 303
    with crew.app.uow() as uow:
        decision = uow.session.scalars(
            select(GateDecision).where(GateDecision.asset_id == in_review[1])
        ).one()
        assert decision.passed is False and decision.defects == ["white_balance"]
        failed = [a for a in decision.answers if not a["passed"]]
        assert failed == [{"item": "white_balance", "passed": False, "defects": ["white_balance"]}]
        assert decision.annotations[0]["note"] == "cast on the collar"


def test_fail_without_a_defect_stays_on_the_asset_with_the_reason(
    browser, crew: Crew, in_review: list[int]
) -> None:
    qc = browser("qc")
    page = qc.post(
        "/review/technical/decision",
        {"asset_id": str(in_review[0]), "gate": "technical", "verdict": "fail_defect"},
        token_from="/review/technical",
    )
    assert page.status_code == 400 and "choose the defect code" in page.text
    assert head(page.text) == in_review[0]
    with crew.app.uow() as uow:
        assert uow.session.scalar(select(GateDecision.id)) is None


def test_skip_and_back_travel_in_the_url(browser, in_review: list[int]) -> None:
    qc = browser("qc")
    page = qc.get("/review/technical")
    assert f'href="/review/technical?skip={in_review[0]}"' in page.text
    page = qc.get(f"/review/technical?skip={in_review[0]},{in_review[1]}")
    assert head(page.text) == in_review[2] and "2 skipped" in page.text
    assert f'href="/review/technical?skip={in_review[0]}" id="review-back"' in page.text
    everything = ",".join(map(str, in_review))
    empty = qc.get(f"/review/technical?skip={everything}")
    assert 'id="review-empty"' in empty.text and "Start again" in empty.text
    assert qc.get("/review/technical?skip=1,x").status_code == 400


def test_a_decision_on_a_version_replaced_meanwhile_is_refused(
    browser, crew: Crew, in_review: list[int], tmp_path: Path
) -> None:
    qc = browser("qc")
    qc.get("/review/technical")
    path = tmp_path / "v2.png"
    path.write_bytes(png_bytes(shade=30))
    with crew.app.uow() as uow:
        production.upload_version(
            uow, crew["retoucher"], KEYS[0], production.Upload(path, "retouch"), NOW, submit=True
        )
    page = qc.post(
        "/review/technical/decision",
        {"asset_id": str(in_review[0]), "gate": "technical", "version": "1", "verdict": "pass_all"},
        token_from="/review/technical",
    )
    assert (
        page.status_code == 409
        and "version 2 was submitted since you opened version 1" in page.text
    )


def test_a_track_queue_holds_that_track_only(browser, in_review: list[int]) -> None:
    qc = browser("qc")
    page = qc.get("/review/catalog")
    assert "4 waiting" in page.text and head(page.text) == in_review[0]
    empty = qc.get("/review/hero")
    assert "0 waiting" in empty.text and 'id="review-empty"' in empty.text


def test_unknown_queue_and_four_eyes(browser, crew: Crew, in_review: list[int]) -> None:
    qc = browser("qc")
    assert qc.get("/review/nonsense").status_code == 404
    # The retoucher made every version: offered no final QC of them, even holding qc_lead.
    for gate, who in (("technical", "qc"), ("styling_fit", "cd"), ("brand_merch", "cd")):
        crew.decide(who, KEYS[0], gate)
    assert "1 waiting" in qc.get("/review/final_qc").text
    with crew.app.uow() as uow:
        from shotline.services import workspaces

        workspaces.add_user(uow, crew["admin"], "retoucher", ["qc_lead"], NOW)
    own = browser("retoucher").get("/review/final_qc")
    assert 'id="review-empty"' in own.text


def test_a_vendor_reviewer_sees_no_other_vendors_work(browser, in_review: list[int]) -> None:
    # Vendor people hold retoucher here: no gate at all, and no asset of anyone else.
    page = browser("vendor").get("/review/catalog")
    assert 'id="review-empty"' in page.text
