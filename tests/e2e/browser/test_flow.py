"""The whole flow in a real browser, in order: log in, intake refused for a missing field,
a spreadsheet imported with its row errors shown, a retoucher's upload, a reviewer failing
a gate in review mode with a defect and a drawn region, the rework passing every gate,
delivery, the dashboard moving accordingly, and a vendor kept out of another vendor's work.

The tests share one server and build on each other (file order), like a working day.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import pyvips
from playwright.sync_api import Page, expect
from sqlalchemy import select

from e2e.browser.conftest import Login, Server, screenshot
from shotline.adapters.db.models import QcRun, Version
from shotline.bootstrap import build
from shotline.domain.access import Actor
from shotline.services import assignment, workspaces
from shotline.services.asset_page import asset_detail
from shotline.services.assets import AssetKey, find_asset
from support import row, write_csv

FRONT = AssetKey("WEB-100", "Black", "front")
BACK = AssetKey("WEB-100", "Black", "back")


@pytest.fixture(scope="module")
def story() -> dict[str, Any]:
    """What one step leaves for the next (asset ids, dashboard figures)."""
    return {}


@pytest.fixture(scope="module")
def images(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two versions of a product shot: a red tee on white, the second a little brighter."""
    folder = tmp_path_factory.mktemp("images")
    found = {}
    for name, shade in (("v1", 170), ("v2", 200)):
        # 2000 x 2500: the product page's size, so the resolution check passes (the server
        # runs the real checks in its embedded worker).
        pixels = np.full((2500, 2000, 3), 250, dtype=np.uint8)
        yy, xx = np.mgrid[0:2500, 0:2000]
        body = (abs(xx - 1000) < 550) & (yy > 500) & (yy < 2170)
        sleeves = (abs(xx - 1000) < 866) & (yy > 500) & (yy < 1033)
        pixels[body | sleeves] = (shade, 30, 40)
        # Fine stripes: something for the 100% loupe to resolve.
        stripes = body & ((yy // 3) % 2 == 0)
        pixels[stripes] = (shade - 40, 20, 30)
        path = folder / f"web-100_black_front_{name}.png"
        pyvips.Image.new_from_array(pixels, interpretation="srgb").pngsave(str(path))
        found[name] = path
    return found


def _admin_view(server: Server) -> Iterator[tuple[Any, Actor]]:
    app = build(server.settings)
    try:
        with app.uow() as uow:
            yield uow, workspaces.resolve_actor(uow, "default", "admin")
    finally:
        app.close()


def asset_id(server: Server, key: AssetKey) -> int:
    for uow, admin in _admin_view(server):
        return find_asset(uow, admin, key).id
    raise AssertionError("unreachable")


def detail(server: Server, key: AssetKey) -> Any:
    for uow, admin in _admin_view(server):
        return asset_detail(uow, admin, find_asset(uow, admin, key).id)
    raise AssertionError("unreachable")


def wait_for_qc(server: Server, key: AssetKey, number: int) -> None:
    """Let the server's QC worker finish the version's automated checks, so the reviewer
    sees their results rather than racing them. A run nobody picks up within a few seconds
    means no worker is running: the review goes on without results."""
    start = time.monotonic()
    while True:
        for uow, admin in _admin_view(server):
            asset = find_asset(uow, admin, key)
            state = uow.session.scalar(
                select(QcRun.state)
                .join(Version, Version.id == QcRun.version_id)
                .where(Version.asset_id == asset.id, Version.number == number)
            )
        waited = time.monotonic() - start
        if state not in ("queued", "running") or (state == "queued" and waited > 5) or waited > 60:
            return
        time.sleep(0.3)


def pass_everything(page: Page, key: str) -> None:
    """Pass every item (key `p`, or the button), giving an override reason when the
    automated checks failed, as the gate then requires."""
    override = page.locator("#override_reason")
    if override.count():
        override.fill("synthetic test shot: checked by eye at 100%")
        page.locator("#pass-all").focus()
    if key == "p":
        page.locator("body").click(position={"x": 5, "y": 5})
        page.keyboard.press("p")
    else:
        page.click("#pass-all")


def test_login_refuses_a_wrong_password_then_lets_in(server: Server, login: Login) -> None:
    page = login("maya")
    page.context.clear_cookies()
    page.goto("/work")
    expect(page).to_have_url(re.compile(r"/login\?next=/work"))
    page.fill("#username", "maya")
    page.fill("#password", "not the password")
    page.click("button[type=submit]")
    expect(page.locator("#login-error")).to_be_visible()
    screenshot(page, "01-login-refused")
    page.fill("#password", "browser tests 2026")
    page.click("button[type=submit]")
    expect(page).to_have_url(re.compile(r"/work$"))
    expect(page.locator(".who")).to_contain_text("maya")


def test_intake_with_a_missing_field_shows_the_error_next_to_it(login: Login) -> None:
    page = login("maya")
    page.goto("/intake")
    page.fill("#f-sku", "WEB-001")
    page.select_option("#f-category", "apparel")
    # The category's own fields arrive with htmx.
    expect(page.locator("#specific-fields")).to_contain_text("Ghost mannequin")
    page.select_option("#f-production_path", "catalog")
    page.fill("#f-colorways", "Black")
    page.check("input[name=channels][value=pdp]")
    page.select_option("#f-priority", "normal")
    page.fill("#f-approval_owner", "maya")
    page.click("form[action='/intake'] button[type=submit]:not([name])")
    error = page.locator("#e-product_name")
    expect(error).to_be_visible()
    expect(page.locator("#f-product_name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#form-errors")).to_contain_text("not stored")
    screenshot(page, "02-intake-missing-field")


def test_a_spreadsheet_is_imported_with_its_row_errors(
    login: Login, server: Server, story: dict[str, Any], tmp_path: Path
) -> None:
    good = row(sku="WEB-100", colorways="Black", views="front|back", channels="pdp|amazon_main")
    bad = row(sku="WEB-101", category="")
    sheet = write_csv(tmp_path / "spring-drop.csv", [good, bad])
    page = login("maya")
    page.goto("/intake")
    page.set_input_files("#sheet", str(sheet))
    page.click("button[name=action][value=import]")
    errors = page.locator("#row-errors")
    expect(errors).to_contain_text("WEB-101")
    expect(errors).to_contain_text("category")
    expect(page.locator("#result-title")).to_contain_text("1 accepted, 1 rejected")
    screenshot(page, "03-intake-spreadsheet")
    story["front"] = asset_id(server, FRONT)
    story["back"] = asset_id(server, BACK)


def dashboard_figures(page: Page) -> dict[str, int]:
    page.goto("/dashboard")
    approved = page.locator("#m-first-pass").locator("xpath=..").inner_text()
    found = re.search(r"(\d+) asset\(s\) approved, (\d+) delivered", approved)
    assert found, approved
    return {
        "in_production": int(page.locator("#q-in-production").inner_text()),
        "approved": int(found.group(1)),
        "delivered": int(found.group(2)),
    }


def test_the_dashboard_before(login: Login, story: dict[str, Any]) -> None:
    page = login("olga")
    story["before"] = dashboard_figures(page)
    assert story["before"]["in_production"] == 2
    screenshot(page, "04-dashboard-before")


def upload(page: Page, story: dict[str, Any], image: Path) -> None:
    page.goto(f"/assets/{story['front']}")
    page.set_input_files("#file", str(image))
    page.select_option("#kind", "retouch")
    page.click("#upload-button")
    expect(page.locator(".flash")).to_contain_text("in review at technical")


def test_a_retoucher_uploads_a_version(
    login: Login, story: dict[str, Any], images: dict[str, Path]
) -> None:
    page = login("rita")
    page.goto("/work")
    screenshot(page, "05-my-work")
    upload(page, story, images["v1"])
    expect(page.locator("#asset-state")).to_have_text("in review")
    expect(page.locator(".timeline")).to_contain_text("v1")
    page.locator("img[data-main]").evaluate("img => img.decode()")
    screenshot(page, "06-asset-uploaded")


def test_a_reviewer_fails_the_gate_with_a_defect_and_a_region(
    login: Login, server: Server, story: dict[str, Any]
) -> None:
    wait_for_qc(server, FRONT, 1)
    page = login("quinn")
    page.goto("/review")
    screenshot(page, "07-review-index")
    page.click("a[href='/review/technical']")
    expect(page.locator("#review-asset")).to_contain_text("WEB-100")
    # Skip ahead (nothing else waits) and come back, from the keyboard; ? shows the keys.
    page.keyboard.press("n")
    expect(page.locator("#review-empty")).to_be_visible()
    page.keyboard.press("b")
    expect(page.locator("#review-asset")).to_contain_text("WEB-100")
    page.keyboard.press("?")
    expect(page.locator("#key-help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#key-help")).to_be_hidden()
    image = page.locator("img[data-main]")
    image.evaluate("img => img.decode()")
    # Draw a region from the keyboard's draw mode, then note it.
    page.keyboard.press("r")
    box = image.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.30, box["y"] + box["height"] * 0.25)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.45, steps=6)
    page.mouse.up()
    page.locator(".region-note").fill("colour cast on the left sleeve")
    expect(page.locator("svg[data-regions] rect.region-drawn")).to_have_count(1)
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("f")
    expect(page.locator("#quick-defect")).to_be_focused()
    page.select_option("#quick-defect", "white_balance")
    page.fill("#comment", "warm cast, see the region")
    screenshot(page, "08-review-mode-failing")
    page.locator("#quick-defect").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("technical failed (white_balance)")
    screenshot(page, "09-review-mode-after")
    found = detail(server, FRONT)
    assert found.state == "in_retouch" and found.rework_rounds == 1
    decision = found.decisions[0]
    assert decision.defects == ["white_balance"] and not decision.passed
    [region] = decision.annotations
    assert region["note"] == "colour cast on the left sleeve"
    # Drawn on a 1600-pixel preview, stored in pixels of the 2000 x 2500 original.
    assert 500 < region["x"] < 700 and 530 < region["y"] < 700
    assert 415 < region["w"] < 585 and 415 < region["h"] < 585


def test_the_rework_passes_every_gate(
    login: Login, server: Server, story: dict[str, Any], images: dict[str, Path]
) -> None:
    rita = login("rita")
    rita.goto(f"/assets/{story['front']}")
    expect(rita.locator("#asset-state")).to_have_text("in retouch")
    expect(rita.locator(".decision.failed")).to_contain_text("colour cast on the left sleeve")
    screenshot(rita, "10-asset-sent-back")
    upload(rita, story, images["v2"])
    wait_for_qc(server, FRONT, 2)
    quinn = login("quinn")
    quinn.goto("/review/technical")
    expect(quinn.locator("#review-asset")).to_contain_text("WEB-100")
    pass_everything(quinn, "p")
    expect(quinn.locator(".flash")).to_contain_text("technical passed")
    cora = login("cora")
    for gate in ("styling_fit", "brand_merch"):
        cora.goto(f"/assets/{story['front']}")
        expect(cora.locator("#gate-title")).to_contain_text(gate)
        if gate == "styling_fit":
            screenshot(cora, "11-asset-checks-and-compare")
        pass_everything(cora, "button")
        expect(cora.locator(".flash")).to_contain_text(f"{gate} passed")
    quinn.goto("/review/final_qc")
    # Final QC at 100%: the loupe, then the full-resolution view.
    image = quinn.locator("img[data-main]")
    image.evaluate("img => img.decode()")
    quinn.keyboard.press("l")
    box = image.bounding_box()
    assert box is not None
    quinn.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.4)
    expect(quinn.locator("[data-loupe]")).to_be_visible()
    screenshot(quinn, "12-final-qc-loupe")
    quinn.keyboard.press("z")
    quinn.wait_for_function(
        "() => { const i = document.querySelector('img[data-main]');"
        " return i.complete && i.naturalWidth === 2000 && i.width === 2000; }"
    )
    quinn.keyboard.press("0")
    pass_everything(quinn, "p")
    expect(quinn.locator(".flash")).to_contain_text("final_qc passed; the asset is approved")
    assert detail(server, FRONT).state == "approved"


def test_delivery(login: Login, server: Server, story: dict[str, Any]) -> None:
    page = login("dana")
    page.goto(f"/assets/{story['front']}")
    # Before delivering: the rework against the failed version, by swipe.
    page.select_option("#compare-a", "v1")
    page.select_option("#compare-b", "v2")
    page.check("input[name=compare-mode][value=swipe]")
    page.fill("#swipe", "30")
    over = page.locator(".compare-swipe img.swipe-over")
    expect(over).to_have_attribute("src", re.compile(r"/versions/2/preview"))
    expect(over).to_have_css("clip-path", "inset(0px 0px 0px 30%)")
    page.locator("[data-compare-root]").scroll_into_view_if_needed()
    screenshot(page, "13-asset-compare-swipe")
    expect(page.locator("#deliver-button")).to_be_visible()
    page.click("#deliver-button")
    expect(page.locator(".flash")).to_contain_text("delivered to pdp, amazon_main")
    expect(page.locator("#asset-state")).to_have_text("delivered")
    screenshot(page, "14-asset-delivered")


def test_the_dashboard_moves_accordingly(login: Login, story: dict[str, Any]) -> None:
    page = login("olga")
    after = dashboard_figures(page)
    before = story["before"]
    assert after["in_production"] == before["in_production"] - 1
    assert after["approved"] == before["approved"] + 1
    assert after["delivered"] == before["delivered"] + 1
    screenshot(page, "15-dashboard-after")
    page.goto("/queues")
    screenshot(page, "16-queues")


def test_a_vendor_cannot_open_another_vendors_asset(
    login: Login, server: Server, story: dict[str, Any]
) -> None:
    for uow, admin in _admin_view(server):
        producer = workspaces.resolve_actor(uow, "default", "pat")
        assignment.assign(uow, producer, [BACK], dt.datetime.now(dt.UTC), team="Pixel Lab")
        del admin
    vince = login("vince")
    vince.goto(f"/assets/{story['back']}")
    expect(vince.locator("h1")).to_contain_text("WEB-100")
    vince.goto("/work")
    expect(vince.locator("main")).to_contain_text("WEB-100")
    screenshot(vince, "17-vendor-own-work")
    wendy = login("wendy")
    for url in (f"/assets/{story['back']}", f"/assets/{story['front']}"):
        answer = wendy.goto(url)
        assert answer is not None and answer.status == 404
        expect(wendy.locator("h1")).to_have_text("Not found")
        expect(wendy.locator("main")).not_to_contain_text("WEB-100")
    for url in (
        f"/assets/{story['front']}/versions/1/file",
        f"/assets/{story['front']}/versions/2/preview?size=0",
    ):
        answer = wendy.request.get(url)
        assert answer.status == 404, url
    wendy.goto(f"/assets/{story['back']}")
    screenshot(wendy, "18-vendor-refused")
