"""Dashboard, exceptions, policy and AI workflow pages: content, roles and vendor fences."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from crew import Crew
from shotline.adapters.db.models import Asset, ProcessException
from support import APPAREL, row


def _first_asset(crew: Crew) -> int:
    crew.import_rows([row(APPAREL, sku="PAGE-1")])
    with crew.app.uow() as uow:
        found = uow.session.scalars(select(Asset.id).order_by(Asset.id)).first()
    assert found is not None
    return found


def test_the_dashboard_answers_the_questions_and_draws_the_charts(browser, crew) -> None:
    _first_asset(crew)
    ops = browser("ops")
    page = ops.get("/dashboard")
    assert page.status_code == 200, page.text
    found = re.search(r'id="q-in-production">(\d+)<', page.text)
    assert found and int(found.group(1)) > 0
    # The period's metrics follow the page (htmx), or come inline without JavaScript.
    assert 'hx-get="/dashboard/period?days=30&amp;start=&amp;end=&amp;by=category"' in page.text
    for url in ("/dashboard/period?days=30", "/dashboard?full=1"):
        period = ops.get(url)
        assert period.status_code == 200, period.text
        for title in ("First-pass approval by week", "SLA hit rate by track", "Rework reasons",
                      "Shoot to live", "AI rejection by workflow version", "Vendor"):  # fmt: skip
            assert title in period.text, (url, title)
        assert 'id="vendor-scorecards"' in period.text and 'id="slice-table"' in period.text
        assert "<svg" in period.text
    sliced = ops.get("/dashboard/period?days=7&by=track")
    assert sliced.status_code == 200 and "By track" in sliced.text
    monthly = ops.get("/dashboard/period?days=90&by=month")
    assert monthly.status_code == 200 and "2026-11" in monthly.text
    dated = ops.get("/dashboard/period?start=2026-11-01&end=2026-11-20")
    assert "2026-11-01" in dated.text
    bad = ops.get("/dashboard?by=colour")
    assert bad.status_code == 400 and "unknown slice" in bad.text
    assert ops.get("/dashboard/period?by=colour").status_code == 400
    wrong = ops.get("/dashboard?start=2026-13-01")
    assert wrong.status_code == 400 and "YYYY-MM-DD" in wrong.text


def test_workspace_wide_pages_are_closed_to_vendor_users(browser) -> None:
    vendor = browser("vendor")
    for url in ("/dashboard", "/dashboard/period", "/exceptions", "/policy", "/ai", "/intake"):
        page = vendor.get(url)
        assert page.status_code == 403, url
        assert "Traceback" not in page.text


def test_exceptions_are_asked_for_and_decided(browser, crew) -> None:
    asset = _first_asset(crew)
    producer = browser("producer")
    missing = producer.post("/exceptions", {"kind": "move_queue", "reason": "", "assets": "x"},
                            token_from="/exceptions")  # fmt: skip
    assert missing.status_code == 422
    assert 'id="e-assets"' in missing.text
    no_reason = producer.post(
        "/exceptions", {"kind": "move_queue", "reason": " ", "assets": str(asset)},
        token_from="/exceptions",
    )  # fmt: skip
    assert no_reason.status_code == 422 and 'id="e-reason"' in no_reason.text
    done = producer.post(
        "/exceptions",
        {"kind": "bypass_gate", "reason": "launch tomorrow", "assets": str(asset), "days": "2"},
        token_from="/exceptions",
    )
    assert done.status_code == 303
    with crew.app.uow() as uow:
        made_id = uow.session.scalars(select(ProcessException.id)).one()
    listed = producer.get("/exceptions").text
    assert "launch tomorrow" in listed
    assert f'action="/exceptions/{made_id}/decide"' not in listed  # producers cannot grant
    refused = producer.post(f"/exceptions/{made_id}/decide", {"decision": "grant"},
                            token_from="/exceptions")  # fmt: skip
    assert "decided by" in producer.get(refused.headers["location"]).text
    ops = browser("ops")
    assert f'action="/exceptions/{made_id}/decide"' in ops.get("/exceptions").text
    granted = ops.post(f"/exceptions/{made_id}/decide", {"decision": "grant", "note": "ok"},
                       token_from="/exceptions")  # fmt: skip
    assert "granted" in ops.get(granted.headers["location"]).text
    with crew.app.uow() as uow:
        assert uow.session.get(ProcessException, made_id).status == "granted"  # type: ignore[union-attr]


def test_deciding_without_the_csrf_token_changes_nothing(browser, crew) -> None:
    asset = _first_asset(crew)
    producer = browser("producer")
    producer.post("/exceptions", {"kind": "bypass_gate", "reason": "r", "assets": str(asset)},
                  token_from="/exceptions")  # fmt: skip
    ops = browser("ops")
    with crew.app.uow() as uow:
        made_id = uow.session.scalars(select(ProcessException.id)).one()
    refused = ops.client.post(f"/exceptions/{made_id}/decide", data={"decision": "grant"})
    assert refused.status_code == 403
    with crew.app.uow() as uow:
        assert uow.session.get(ProcessException, made_id).status == "requested"  # type: ignore[union-attr]


def test_the_policy_page_shows_the_active_standards(browser) -> None:
    page = browser("qc").get("/policy")
    assert page.status_code == 200
    for text in ("Gates and their checklists", "Defect codes", "final_qc", "Shot list"):
        assert text in page.text


def test_ai_workflows_list_and_show(browser, crew) -> None:
    crew.register_ai("flatlay@1")
    ops = browser("ops")
    listed = ops.get("/ai")
    assert 'href="/ai/flatlay%401"' in listed.text
    shown = ops.get("/ai/flatlay%401")
    assert shown.status_code == 200 and "ComfyUI" in shown.text and "Readiness" in shown.text
    missing = ops.get("/ai/nothing")
    assert missing.status_code == 404 and "no AI workflow named" in missing.text


def test_an_unknown_page_is_a_page(browser) -> None:
    page = browser("qc").get("/no/such/page")
    assert page.status_code == 404 and "no such page" in page.text


def test_rights_expiring_lists_what_lapses_and_fences_vendors(browser, crew) -> None:
    import datetime as dt

    from conftest import NOW
    from shotline.services import assignment, rights
    from shotline.services.assets import AssetKey

    _first_asset(crew)
    with crew.app.uow() as uow:
        asset = uow.session.scalars(select(Asset).order_by(Asset.id)).first()
        assert asset is not None
        key = AssetKey(asset.sku, asset.colorway, asset.view)
    terms = rights.RightsInput("editorial", expires_at=NOW + dt.timedelta(days=10))
    with crew.app.uow() as uow:
        rights.set_rights(uow, crew["dam"], key, terms, NOW)
    with crew.app.uow() as uow:
        assignment.assign(uow, crew["producer"], [key], NOW, team="Pixel Lab")
    shown = browser("dam").get("/rights").text
    assert "editorial" in shown and key.sku in shown and "lapsing" in shown
    assert "editorial" not in browser("dam").get("/rights?days=7").text
    assert "editorial" in browser("vendor").get("/rights").text
    assert "editorial" not in browser("vendor2").get("/rights").text


def test_a_bug_in_a_page_is_one_line_not_a_traceback(browser, web, monkeypatch) -> None:
    from shotline.services import exceptions

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(exceptions, "list_exceptions", broken)
    ops = browser("ops")
    # As a real server does: the browser gets the error page, the test does not get the error.
    with TestClient(web, raise_server_exceptions=False, cookies=ops.client.cookies) as client:
        page = client.get("/exceptions")
    assert page.status_code == 500
    assert "something went wrong on our side (RuntimeError)" in page.text
    assert "Traceback" not in page.text and "boom" not in page.text
