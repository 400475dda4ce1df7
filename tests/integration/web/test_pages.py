"""Dashboard, exceptions, policy and AI workflow pages: content, roles and vendor fences."""

from __future__ import annotations

import re

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
    for title in ("First-pass approval by week", "SLA hit rate by track", "Rework reasons",
                  "Shoot to live", "AI rejection by workflow version", "Vendor"):  # fmt: skip
        assert title in page.text, title
    assert 'id="vendor-scorecards"' in page.text and 'id="slice-table"' in page.text
    sliced = ops.get("/dashboard?days=7&by=track")
    assert sliced.status_code == 200
    dated = ops.get("/dashboard?start=2026-11-01&end=2026-11-20")
    assert "2026-11-01" in dated.text
    bad = ops.get("/dashboard?by=colour")
    assert bad.status_code == 400 and "unknown slice" in bad.text
    wrong = ops.get("/dashboard?start=2026-13-01")
    assert wrong.status_code == 400 and "YYYY-MM-DD" in wrong.text


def test_workspace_wide_pages_are_closed_to_vendor_users(browser) -> None:
    vendor = browser("vendor")
    for url in ("/dashboard", "/exceptions", "/policy", "/ai", "/intake"):
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
