"""The asset store over HTTP: multipart folder upload, the approved final, expiring rights."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from asset_images import product_image
from conftest import NOW
from crew import Crew
from integration.api.caller import Caller
from shotline.services import rights
from shotline.services.assets import AssetKey
from support import row

FRONT = AssetKey("TEE-001", "Black", "front")


def _jpeg(seed: int = 0) -> bytes:
    return bytes(product_image(seed=seed).write_to_buffer(".jpg"))


def test_files_are_mapped_by_name_and_refusals_reported(call: Caller, crew: Crew) -> None:
    crew.import_rows([row()])
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("TEE-001_White_front_v1.jpg", _jpeg(3))
    files = [
        ("files", ("TEE-001_Black_front_v1.jpg", _jpeg(1), "image/jpeg")),
        ("files", ("../TEE-001_Black_back_v1.jpg", _jpeg(2), "image/jpeg")),
        ("files", ("TEE-404_Black_front_v1.jpg", _jpeg(4), "image/jpeg")),
        ("files", ("more.zip", archive.getvalue(), "application/zip")),
    ]
    response = call.post("photo", "/api/v1/uploads", files=files, data={"kind": "capture"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert [(s["file"], s["view"], s["colorway"], s["version"]) for s in body["stored"]] == [
        ("TEE-001_Black_front_v1.jpg", "front", "Black", 1),
        ("TEE-001_White_front_v1.jpg", "front", "White", 1),
    ]
    assert sorted((r["file"], r["reason"][:29]) for r in body["refused"]) == [
        ("../TEE-001_Black_back_v1.jpg", "file name '../TEE-001_Black_b"),
        ("TEE-404_Black_front_v1.jpg", "matches no open asset in this"),
    ]


def test_uploading_needs_the_role(call: Caller, crew: Crew) -> None:
    crew.import_rows([row()])
    files = [("files", ("TEE-001_Black_front_v1.jpg", _jpeg(), "image/jpeg"))]
    response = call.post("merch", "/api/v1/uploads", files=files, data={"kind": "capture"})
    assert response.status_code == 200
    [refused] = response.json()["refused"]
    assert "cannot upload capture versions" in refused["reason"]


def test_the_final_and_expiring_rights(call: Caller, crew: Crew) -> None:
    crew.import_rows([row()])
    assert call.get("dam", "/api/v1/assets/TEE-001/Black/front/final").status_code == 404
    crew.upload("retoucher", FRONT, "retouch")
    for gate, who in (("technical", "qc"), ("styling_fit", "cd"), ("brand_merch", "cd"),
                      ("final_qc", "qc2")):  # fmt: skip
        crew.decide(who, FRONT, gate)
    final = call.get("dam", "/api/v1/assets/TEE-001/Black/front/final").json()
    assert (final["version"], final["asset_state"], final["format"]) == (1, "approved", "png")
    item = rights.RightsInput("buyout", "EU", None, NOW + dt.timedelta(days=5))
    with crew.app.uow() as uow:
        rights.set_rights(uow, crew["dam"], FRONT, item, NOW)
    soon = call.get("dam", "/api/v1/rights/expiring?days=30").json()
    assert [(r["sku"], r["territory"]) for r in soon] == [("TEE-001", "EU")]
    assert call.get("dam", "/api/v1/rights/expiring?days=3").json() == []
