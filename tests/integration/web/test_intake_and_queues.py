"""Intake form and spreadsheet pages, queues with filters and bulk assign, My work."""

from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from crew import Crew
from shotline.adapters.db.models import Asset, Request
from support import write_csv

GOOD = {
    "sku": "WEB-001",
    "product_name": "Linen shirt",
    "category": "apparel",
    "production_path": "catalog",
    "colorways": "White|Navy",
    "channels": ["pdp"],
    "priority": "normal",
    "approval_owner": "merch",
    "size_represented": "M",
    "ghost_mannequin": "no",
    "fabric": "linen",
    "color_priority": "standard",
}


def _assets(crew: Crew) -> int:
    with crew.app.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(Asset)) or 0


def test_the_form_shows_each_error_next_to_its_field_and_stores_nothing(browser, crew) -> None:
    merch = browser("merch")
    data = {**GOOD, "product_name": "", "fabric": "", "priority": "someday"}
    page = merch.post("/intake", data, token_from="/intake")
    assert page.status_code == 422
    for field in ("product_name", "fabric", "priority"):
        assert f'id="e-{field}"' in page.text, field
        assert f'aria-describedby="e-{field}"' in page.text
    assert 'value="Linen shirt"' not in page.text and 'value="WEB-001"' in page.text
    assert _assets(crew) == 0


def test_a_valid_form_stores_a_request_and_a_second_one_is_refused(browser, crew) -> None:
    merch = browser("merch")
    done = merch.post("/intake", GOOD, token_from="/intake")
    assert done.status_code == 303, done.text
    assert _assets(crew) == 2 * 7  # two colorways x the apparel shot list
    assert "Request 1 stored: 14 asset(s)" in merch.get(done.headers["location"]).text
    again = merch.post("/intake", GOOD, token_from="/intake")
    assert again.status_code == 422  # the same SKU and colorways are already in production
    assert 'id="e-colorways"' in again.text
    with crew.app.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Request)) == 1


def test_category_fields_appear_for_the_chosen_category(browser) -> None:
    merch = browser("merch")
    jewelry = merch.get("/intake/fields?category=jewelry").text
    assert 'name="metal_type"' in jewelry and 'name="fabric"' not in jewelry
    assert 'value="macro"' in jewelry
    apparel = merch.get("/intake/fields?category=apparel&production_path=ai_generated").text
    assert 'name="fabric"' in apparel and 'name="anatomy_risk"' in apparel


def test_intake_needs_a_submitting_role(browser) -> None:
    assert browser("qc").get("/intake").status_code == 403
    assert browser("vendor").get("/intake").status_code == 403


def test_a_spreadsheet_shows_its_row_errors_and_they_download(browser, crew) -> None:
    rows = [
        {**{k: v for k, v in GOOD.items() if k != "channels"}, "channels": "pdp"},
        {**{k: v for k, v in GOOD.items() if k != "channels"}, "sku": "WEB-002", "channels": "pdp",
         "fabric": ""},
    ]  # fmt: skip
    path = write_csv(crew.files / "drop.csv", rows)
    merch = browser("merch")
    token = merch.token("/intake")
    with path.open("rb") as handle:
        page = merch.client.post(
            "/intake/upload",
            data={"csrf_token": token, "action": "validate"},
            files={"file": ("drop.csv", handle, "text/csv")},
        )
    assert page.status_code == 200
    assert 'id="row-errors"' in page.text and "WEB-002" in page.text
    assert _assets(crew) == 0
    with path.open("rb") as handle:
        download = merch.client.post(
            "/intake/errors.csv",
            data={"csrf_token": token},
            files={"file": ("drop.csv", handle, "text/csv")},
        )
    assert download.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert [(r["row"], r["sku"], r["field"]) for r in table] == [("3", "WEB-002", "fabric")]
    with path.open("rb") as handle:
        imported = merch.client.post(
            "/intake/upload",
            data={"csrf_token": token, "action": "import"},
            files={"file": ("drop.csv", handle, "text/csv")},
        )
    assert "Stored as request" in imported.text
    assert _assets(crew) == 14


def test_a_broken_file_is_one_clear_line(browser) -> None:
    merch = browser("merch")
    token = merch.token("/intake")
    page = merch.client.post(
        "/intake/upload",
        data={"csrf_token": token},
        files={"file": ("notes.txt", b"hello", "text/plain")},
    )
    assert page.status_code == 400
    assert "unsupported file type" in page.text and "Traceback" not in page.text


def test_upload_without_csrf_is_refused(browser, crew) -> None:
    merch = browser("merch")
    page = merch.client.post("/intake/upload", files={"file": ("a.csv", b"sku\nX", "text/csv")})
    assert page.status_code == 403
    assert _assets(crew) == 0


def _queue_with_work(browser, crew: Crew):  # type: ignore[no-untyped-def]
    merch = browser("merch")
    assert merch.post("/intake", GOOD, token_from="/intake").status_code == 303
    with crew.app.uow() as uow:
        asset = uow.session.scalars(select(Asset).order_by(Asset.id)).first()
        assert asset is not None
        return asset.track, asset.id


def test_queue_page_filters_and_bulk_assigns(browser, crew) -> None:
    track, first = _queue_with_work(browser, crew)
    producer = browser("producer")
    queue = producer.get(f"/queues/{track}/capture")
    assert queue.status_code == 200
    assert f'href="/assets/{first}"' in queue.text
    assert queue.text.count('name="asset_id"') == 14
    empty = producer.get(f"/queues/{track}/capture?category=jewelry").text
    assert 'name="asset_id"' not in empty
    bad = producer.get(f"/queues/{track}/capture?sla=soonish")
    assert "unknown SLA state" in bad.text
    done = producer.post(
        f"/queues/{track}/capture/assign",
        {"asset_id": [first], "assign_to": "team:Pixel Lab"},
        token_from=f"/queues/{track}/capture",
    )
    assert done.status_code == 303
    assert "1 asset(s) assigned" in producer.get(done.headers["location"]).text
    vendor = browser("vendor")
    mine = vendor.get("/work").text
    assert f'href="/assets/{first}"' in mine and mine.count('href="/assets/') == 1
    assert vendor.get(f"/queues/{track}/capture").text.count('href="/assets/') == 1
    other = browser("vendor2")
    assert 'href="/assets/' not in other.get(f"/queues/{track}/capture").text
    assert 'href="/assets/' not in other.get("/work").text


def test_only_assigning_roles_see_or_use_bulk_assign(browser, crew) -> None:
    track, first = _queue_with_work(browser, crew)
    qc = browser("qc")
    assert 'name="assign_to"' not in qc.get(f"/queues/{track}/capture").text
    refused = qc.post(
        f"/queues/{track}/capture/assign",
        {"asset_id": [first], "assign_to": "user:qc"},
        token_from=f"/queues/{track}/capture",
    )
    assert "Nothing assigned" in qc.get(refused.headers["location"]).text


def test_unknown_track_is_a_page_not_a_traceback(browser) -> None:
    page = browser("producer").get("/queues/nope/capture")
    assert page.status_code == 400 and "unknown track" in page.text


def test_an_xlsx_spreadsheet_is_read_like_a_csv(browser, crew) -> None:
    from support import write_xlsx

    sheet = {**{k: v for k, v in GOOD.items() if k != "channels"}, "channels": "pdp"}
    path = write_xlsx(crew.files / "drop.xlsx", [sheet, {**sheet, "sku": "WEB-009", "fabric": ""}])
    merch = browser("merch")
    token = merch.token("/intake")
    with path.open("rb") as handle:
        page = merch.client.post(
            "/intake/upload",
            data={"csrf_token": token, "action": "validate"},
            files={"file": ("drop.xlsx", handle, "application/octet-stream")},
        )
    assert page.status_code == 200
    assert "2 row(s), 1 accepted, 1 rejected" in page.text and "WEB-009" in page.text


def test_without_javascript_the_form_refreshes_with_the_category_fields(browser) -> None:
    merch = browser("merch")
    page = merch.post(
        "/intake/refresh", {"category": "jewelry", "sku": "KEEP-1"}, token_from="/intake"
    )
    assert page.status_code == 200
    assert 'name="metal_type"' in page.text and 'value="KEEP-1"' in page.text
    assert "field-error" not in page.text
