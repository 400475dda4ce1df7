"""The asset page: upload, gate checklist with defects and regions, previews and files,
delivery, and the workspace and vendor fences, through the pages as a browser uses them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
import pyvips
from sqlalchemy import select

from conftest import NOW
from crew import Crew
from shotline.adapters.db.models import Asset, CheckResult, GateDecision, Version
from shotline.services import assignment, exceptions, production
from shotline.services.asset_page import asset_detail
from shotline.services.assets import AssetKey
from shotline.services.history import asset_history
from support import row

FRONT = AssetKey("TEE-001", "Black", "front")
BACK = AssetKey("TEE-001", "Black", "back")


def png_bytes(width: int = 64, height: int = 48, shade: int = 200) -> bytes:
    """A small product-on-white PNG."""
    pixels = np.full((height, width, 3), 255, dtype=np.uint8)
    pixels[height // 4 : 3 * height // 4, width // 4 : 3 * width // 4] = (shade, 40, 40)
    image: pyvips.Image = pyvips.Image.new_from_array(pixels, interpretation="srgb")
    data: bytes = image.pngsave_buffer()
    return data


@pytest.fixture
def tee(crew: Crew) -> int:
    """The Black front tee of a fresh request; its asset id."""
    crew.import_rows([row()])
    return crew.asset_id(FRONT)


def upload_form(browser, who: str, asset_id: int, data: bytes, submit: bool = True):  # type: ignore[no-untyped-def]
    b = browser(who)
    token = b.token(f"/assets/{asset_id}")
    fields = {"csrf_token": token, "kind": "retouch"} | ({"submit": "1"} if submit else {})
    files = {"file": ("tee_front.png", io.BytesIO(data), "image/png")}
    return b.client.post(f"/assets/{asset_id}/versions", data=fields, files=files)


def answers(fail: dict[str, list[str]] | None = None, items: tuple[str, ...] = ()) -> dict:  # type: ignore[type-arg]
    fail = fail or {}
    form: dict[str, object] = {f"item.{i}": "fail" if i in fail else "pass" for i in items}
    for item, codes in fail.items():
        form[f"defects.{item}"] = codes
    return form


TECHNICAL = (
    "focus",
    "exposure",
    "white_balance",
    "framing",
    "resolution",
    "file_format",
    "clipping_path",
    "background",
    "capture_defects",
)


def test_retoucher_uploads_a_version_and_submits_it(browser, crew: Crew, tee: int) -> None:
    done = upload_form(browser, "retoucher", tee, png_bytes())
    assert done.status_code == 303 and done.headers["location"] == f"/assets/{tee}"
    assert crew.state(FRONT) == ("in_review", "technical", 0)
    page = browser("qc").get(f"/assets/{tee}")
    assert page.status_code == 200
    assert "tee_front.png" in page.text and 'name="item.focus"' in page.text
    assert 'href="/review/technical" id="to-review"' in page.text
    # The shot list says which of the SKU's views this is.
    assert 'id="shot-position">1 of 2' in page.text


def test_an_upload_without_a_file_is_refused_next_to_the_form(
    browser, crew: Crew, tee: int
) -> None:
    b = browser("retoucher")
    token = b.token(f"/assets/{tee}")
    page = b.client.post(
        f"/assets/{tee}/versions",
        data={"csrf_token": token, "kind": "retouch"},
        files={"file": ("", io.BytesIO(b""), "application/octet-stream")},
    )
    assert page.status_code == 400 and 'id="upload-error"' in page.text
    assert "choose a file" in page.text
    assert crew.state(FRONT) == ("requested", None, 0)


def test_a_merchandiser_cannot_upload(browser, crew: Crew, tee: int) -> None:
    page = upload_form(browser, "merch", tee, png_bytes())
    assert page.status_code == 403 and "cannot upload retouch versions" in page.text
    with crew.app.uow() as uow:
        assert uow.session.scalar(select(Version.id)) is None


def test_a_failed_gate_keeps_defects_and_regions_and_sends_the_asset_back(
    browser, crew: Crew, tee: int
) -> None:
    upload_form(browser, "retoucher", tee, png_bytes())
    qc = browser("qc")
    drawn = json.dumps([{"x": 10, "y": 12.5, "w": 20, "h": 8, "note": "soft edge"}])
    form = answers({"focus": ["focus"]}, TECHNICAL) | {
        "gate": "technical",
        "comment": "soft focus on the collar",
        "annotations": drawn,
        "regions": "1,2,3,4,collar",
    }
    done = qc.post(f"/assets/{tee}/decision", form, token_from=f"/assets/{tee}")
    assert done.status_code == 303, done.text
    assert crew.state(FRONT) == ("in_capture", None, 1)
    with crew.app.uow() as uow:
        decision = uow.session.scalars(select(GateDecision)).one()
        assert decision.passed is False and decision.defects == ["focus"]
        assert decision.annotations == [
            {"x": 10.0, "y": 12.5, "w": 20.0, "h": 8.0, "note": "soft edge"},
            {"x": 1.0, "y": 2.0, "w": 3.0, "h": 4.0, "note": "collar"},
        ]
    page = qc.get(f"/assets/{tee}")
    assert "technical</b> failed on v1" in page.text and "soft edge" in page.text
    assert "gate failed" in page.text  # the history


def test_a_fail_without_a_defect_is_refused_and_the_answers_come_back(
    browser, crew: Crew, tee: int
) -> None:
    upload_form(browser, "retoucher", tee, png_bytes())
    qc = browser("qc")
    form = answers({"focus": []}, TECHNICAL) | {"gate": "technical", "comment": "hmm"}
    page = qc.post(f"/assets/{tee}/decision", form, token_from=f"/assets/{tee}")
    assert page.status_code == 400
    assert "failed item &#39;focus&#39; needs a defect code" in page.text
    # The reviewer's answers are still ticked.
    assert 'name="item.focus" value="fail" checked' in page.text and ">hmm</textarea>" in page.text
    assert crew.state(FRONT) == ("in_review", "technical", 0)


def test_bad_regions_are_refused_with_the_line(browser, crew: Crew, tee: int) -> None:
    upload_form(browser, "retoucher", tee, png_bytes())
    form = {"gate": "technical", "verdict": "pass_all", "regions": "1,2,x,4"}
    page = browser("qc").post(f"/assets/{tee}/decision", form, token_from=f"/assets/{tee}")
    assert page.status_code == 400 and "region line 1: x, y, w and h must be numbers" in page.text
    assert crew.state(FRONT) == ("in_review", "technical", 0)


def test_pass_all_moves_to_the_next_gate_and_the_wrong_role_sees_why(
    browser, crew: Crew, tee: int
) -> None:
    upload_form(browser, "retoucher", tee, png_bytes())
    assert "decided by qc_lead" in browser("merch").get(f"/assets/{tee}").text
    form = {"gate": "technical", "verdict": "pass_all"}
    done = browser("qc").post(f"/assets/{tee}/decision", form, token_from=f"/assets/{tee}")
    assert done.status_code == 303
    assert crew.state(FRONT) == ("in_review", "styling_fit", 0)


def test_a_decision_without_the_csrf_token_is_refused(browser, crew: Crew, tee: int) -> None:
    upload_form(browser, "retoucher", tee, png_bytes())
    qc = browser("qc")
    page = qc.client.post(f"/assets/{tee}/decision", data={"gate": "technical"})
    assert page.status_code == 403
    assert crew.state(FRONT) == ("in_review", "technical", 0)


def test_previews_and_the_original_file(browser, crew: Crew, tee: int) -> None:
    data = png_bytes(80, 60)
    upload_form(browser, "retoucher", tee, data)
    qc = browser("qc")
    original = qc.get(f"/assets/{tee}/versions/1/file")
    assert original.status_code == 200 and original.content == data
    assert "attachment" in original.headers["content-disposition"]
    for size, expected in ((0, (80, 60)), (320, (80, 60))):
        preview = qc.get(f"/assets/{tee}/versions/1/preview?size={size}")
        assert preview.status_code == 200 and preview.headers["content-type"] == "image/jpeg"
        image = pyvips.Image.new_from_buffer(preview.content, "")
        assert (image.width, image.height) == expected
    assert qc.get(f"/assets/{tee}/versions/1/preview?size=77").status_code == 400
    assert qc.get(f"/assets/{tee}/versions/9/file").status_code == 404


def test_a_large_version_is_downscaled_for_the_screen(
    browser, crew: Crew, tee: int, tmp_path: Path
) -> None:
    upload_form(browser, "retoucher", tee, png_bytes(2000, 1000))
    preview = browser("qc").get(f"/assets/{tee}/versions/1/preview?size=1600")
    image = pyvips.Image.new_from_buffer(preview.content, "")
    assert (image.width, image.height) == (1600, 800)


def test_vendors_only_open_their_own_assets_also_by_url(browser, crew: Crew, tee: int) -> None:
    upload_form(browser, "retoucher", tee, png_bytes())
    with crew.app.uow() as uow:
        assignment.assign(uow, crew["producer"], [FRONT], NOW, team="Pixel Lab")
    mine = browser("vendor")
    assert mine.get(f"/assets/{tee}").status_code == 200
    assert mine.get(f"/assets/{tee}/versions/1/preview?size=320").status_code == 200
    other = browser("vendor2")
    for url in (
        f"/assets/{tee}",
        f"/assets/{tee}/versions/1/file",
        f"/assets/{tee}/versions/1/preview?size=0",
        f"/assets/{crew.asset_id(BACK)}",
    ):
        page = other.get(url)
        assert page.status_code == 404, url
        assert "Pixel Lab" not in page.text and "TEE-001" not in page.text
    token = other.token("/work")
    posted = other.client.post(
        f"/assets/{tee}/decision", data={"csrf_token": token, "gate": "technical"}
    )
    assert posted.status_code == 404


def test_an_unknown_asset_and_a_logged_out_visitor(browser, tee: int) -> None:
    assert browser("qc").get("/assets/999999").status_code == 404
    anon = browser(None).get(f"/assets/{tee}")
    assert anon.status_code == 303 and anon.headers["location"].startswith("/login?next=")


def test_delivery_after_every_gate(browser, crew: Crew, tee: int, tmp_path: Path) -> None:
    path = tmp_path / "tee.png"
    path.write_bytes(png_bytes())
    with crew.app.uow() as uow:
        production.upload_version(
            uow, crew["retoucher"], FRONT, production.Upload(path, "retouch"), NOW, submit=True
        )
    for who, gate in (
        ("qc", "technical"),
        ("cd", "styling_fit"),
        ("cd", "brand_merch"),
        ("qc", "final_qc"),
    ):
        crew.decide(who, FRONT, gate)
    assert crew.state(FRONT)[0] == "approved"
    with crew.app.uow() as uow:
        # An exception naming this asset, and one naming its sibling that must stay out.
        exceptions.request_exception(uow, crew["producer"], "move_queue", "rush", [tee], NOW)
    with crew.app.uow() as uow:
        other = crew.asset_id(BACK)
        exceptions.request_exception(uow, crew["producer"], "move_queue", "x", [other], NOW)
    assert "deliver-button" not in browser("qc").get(f"/assets/{tee}").text
    dam = browser("dam")
    page = dam.get(f"/assets/{tee}")
    assert 'name="channels" value="pdp"' in page.text
    refused = dam.post(
        f"/assets/{tee}/deliver", {"channels": ["tiktok"]}, token_from=f"/assets/{tee}"
    )
    assert refused.status_code == 400 and "unknown or missing channel(s) tiktok" in refused.text
    done = dam.post(
        f"/assets/{tee}/deliver", {"channels": ["pdp", "amazon_main"]}, token_from=f"/assets/{tee}"
    )
    assert done.status_code == 303
    with crew.app.uow() as uow:
        assert uow.session.scalars(select(Asset.state).where(Asset.id == tee)).one() == "delivered"
        # The page's indexed trail holds exactly the events of the full history service.
        trail = asset_detail(uow, crew["admin"], tee).history
        full = asset_history(uow, crew["admin"], *FRONT.__dict__.values())
    assert [(e.at, e.kind, e.actor, e.payload) for e in trail] == [
        (e.at, e.kind, e.actor, e.payload) for e in full
    ]
    assert [e.kind for e in trail][:2] == ["line_accepted", "version_uploaded"]
    assert [e.payload["reason"] for e in trail if e.kind == "exception_requested"] == ["rush"]


def test_the_reference_swatch_is_offered_for_comparison(browser, crew: Crew) -> None:
    crew.import_rows([row(reference_color="18.2,1.5,-20.3")])
    asset = crew.asset_id(FRONT)
    upload_form(browser, "retoucher", asset, png_bytes())
    page = browser("qc").get(f"/assets/{asset}")
    # The request's CIELAB reference, shown as the sRGB colour it is.
    assert "reference swatch #162D4A" in page.text and 'id="compare-title"' in page.text


def test_lab_references_become_srgb_swatches() -> None:
    from shotline.services.asset_page import lab_to_hex

    assert lab_to_hex(100, 0, 0) == "#FFFFFF"
    assert lab_to_hex(0, 0, 0) == "#000000"
    assert lab_to_hex(53.24, 80.09, 67.20) == "#FF0000"


def test_automated_checks_show_with_their_overlays(
    browser, crew: Crew, tee: int, tmp_path: Path
) -> None:
    upload_form(browser, "retoucher", tee, png_bytes())
    overlay = tmp_path / "mask.png"
    overlay.write_bytes(png_bytes(shade=10))
    with crew.app.uow() as uow:
        version_id = uow.session.scalars(select(Version.id).where(Version.asset_id == tee)).one()
        stored = uow.blobs.put_file(overlay)
        for check, passed, sha in (("background", False, stored.sha256), ("focus", True, None)):
            uow.session.add(
                CheckResult(
                    workspace_id=crew["admin"].workspace_id,
                    version_id=version_id,
                    check=check,
                    passed=passed,
                    value=0.42,
                    threshold=0.2,
                    unit="share",
                    explanation=f"{check} measured",
                    measured_at=NOW,
                    overlay_sha256=sha,
                )
            )
        uow.commit()
    qc = browser("qc")
    page = qc.get(f"/assets/{tee}")
    assert "background measured" in page.text and 'class="check-fail">fail' in page.text
    overlay_url = f"/assets/{tee}/versions/1/checks/background/overlay"
    assert f'data-src="{overlay_url}"' in page.text
    # A failed check asks for an override reason to pass, and pre-fills the checklist.
    assert "Automated checks failed: background" in page.text
    assert "measured: background fail (pre-filled)" in page.text
    assert 'name="item.background" value="fail" checked' in page.text
    assert 'name="item.focus" value="pass" checked' in page.text
    assert 'name="item.exposure" value="pass" checked' not in page.text
    served = qc.get(overlay_url)
    assert served.status_code == 200 and served.content == overlay.read_bytes()
    assert qc.get(f"/assets/{tee}/versions/1/checks/focus/overlay").status_code == 404
    assert browser("vendor2").get(overlay_url).status_code == 404


def test_a_version_uploaded_without_submitting_is_submitted_later(
    browser, crew: Crew, tee: int
) -> None:
    done = upload_form(browser, "retoucher", tee, png_bytes(), submit=False)
    assert done.status_code == 303
    assert crew.state(FRONT) == ("in_retouch", None, 0)
    retoucher = browser("retoucher")
    assert 'id="submit-button"' in retoucher.get(f"/assets/{tee}").text
    assert 'id="submit-button"' not in browser("qc").get(f"/assets/{tee}").text
    submitted = retoucher.post(f"/assets/{tee}/submit", {}, token_from=f"/assets/{tee}")
    assert submitted.status_code == 303
    assert crew.state(FRONT) == ("in_review", "technical", 0)
    refused = browser("qc").post(f"/assets/{tee}/submit", {}, token_from=f"/assets/{tee}")
    assert refused.status_code == 403 and "cannot submit versions" in refused.text
