"""Delivery packages: renditions named by the channel template, manifests, embedded metadata
read back with exiv2, rights expiry, and refusal of an asset that is not approved."""

from __future__ import annotations

import csv
import datetime as dt
import json
import zipfile
from pathlib import Path

import pyexiv2
import pytest
from sqlalchemy import select

from asset_images import write_image
from conftest import NOW
from crew import Crew
from shotline.adapters.db.models import Delivery, Event
from shotline.domain.lifecycle import IllegalTransition
from shotline.services import production, rights
from shotline.services.assets import AssetKey
from support import row

FRONT = AssetKey("TEE-001", "Black", "front")
GATES = (("technical", "qc"), ("styling_fit", "cd"), ("brand_merch", "cd"), ("final_qc", "qc2"))


def _approved(crew: Crew, tmp_path: Path) -> None:
    crew.import_rows([row()])
    path = write_image(tmp_path / "master.jpg", 2400, 3000, Q=90)
    with crew.app.uow() as uow:
        item = production.Upload(path, "retouch")
        production.upload_version(uow, crew["retoucher"], FRONT, item, NOW, submit=True)
    for gate, who in GATES:
        crew.decide(who, FRONT, gate)


def _deliver(crew: Crew, out: Path, channels: list[str], as_zip: bool = False) -> str:
    with crew.app.uow() as uow:
        return production.deliver(uow, crew["dam"], FRONT, channels, NOW, out, as_zip)


def _set_rights(crew: Crew, expires: dt.datetime | None) -> None:
    item = rights.RightsInput(
        "buyout",
        "worldwide",
        "MR-2291",
        expires,
        "Studio North",
        "© 2026 Brand Co",
        "Ecommerce and social, no print",
    )
    with crew.app.uow() as uow:
        rights.set_rights(uow, crew["dam"], FRONT, item, NOW)


def test_a_package_per_channel_with_renditions_manifests_and_metadata(
    crew: Crew, tmp_path: Path
) -> None:
    _approved(crew, tmp_path)
    _set_rights(crew, NOW + dt.timedelta(days=90))
    out = tmp_path / "out"
    assert _deliver(crew, out, ["pdp", "amazon_main"]) == "delivered"
    packages = sorted(p.name for p in out.iterdir())
    assert packages == [
        "TEE-001_Black_front_amazon_main_20261125T150000",
        "TEE-001_Black_front_pdp_20261125T150000",
    ]
    amazon = out / packages[0]
    assert sorted(p.name for p in amazon.iterdir()) == [
        "TEE-001.MAIN.jpg",
        "manifest.csv",
        "manifest.json",
    ]
    [entry] = json.loads((amazon / "manifest.json").read_text())
    with (amazon / "manifest.csv").open() as handle:
        [line] = list(csv.DictReader(handle))
    assert line["file"] == entry["file"] == "TEE-001.MAIN.jpg"
    assert (entry["sku"], entry["colorway"], entry["view"], entry["channel"]) == (
        "TEE-001",
        "Black",
        "front",
        "amazon_main",
    )
    assert (entry["version"], entry["ai_label"], entry["width"]) == (1, "", 2000)
    import hashlib

    assert entry["checksum"] == hashlib.sha256((amazon / entry["file"]).read_bytes()).hexdigest()
    with pyexiv2.Image(str(amazon / "TEE-001.MAIN.jpg")) as image:
        xmp = image.read_xmp()
    assert xmp["Xmp.dc.creator"] == ["Studio North"]
    assert "Brand Co" in str(xmp["Xmp.dc.rights"])
    assert "no print" in str(xmp["Xmp.xmpRights.UsageTerms"])
    assert not any("DigitalSourceType" in k for k in xmp)
    with crew.app.uow() as uow:
        rows = uow.session.scalars(select(Delivery).order_by(Delivery.channel)).all()
        assert [(d.channel, d.file_name) for d in rows] == [
            ("amazon_main", "TEE-001.MAIN.jpg"),
            ("pdp", rows[1].file_name),
        ]
        payload = uow.session.scalars(select(Event.payload).where(Event.kind == "delivered")).one()
    assert [p["channel"] for p in payload["packages"]] == ["pdp", "amazon_main"]


def test_zip_packages(crew: Crew, tmp_path: Path) -> None:
    _approved(crew, tmp_path)
    out = tmp_path / "out"
    _deliver(crew, out, ["instagram_feed"], as_zip=True)
    [package] = list(out.iterdir())
    assert package.suffix == ".zip"
    with zipfile.ZipFile(package) as zipped:
        names = sorted(zipped.namelist())
    assert [n.split("/", 1)[1] for n in names] == [
        "TEE-001_Black_front_v1.jpg",
        "manifest.csv",
        "manifest.json",
    ]


def test_ai_output_carries_the_digital_source_type_and_workflow(crew: Crew, tmp_path: Path) -> None:
    ai_row = row(
        sku="AIT-001",
        views="front",
        production_path="ai_generated",
        source_image="flat.tif",
        target_model_type="f",
        pose="front",
        anatomy_risk="low",
        human_qc="yes",
    )
    crew.import_rows([ai_row])
    crew.register_ai("model-shots@3")
    key = AssetKey("AIT-001", "Black", "front")
    path = write_image(tmp_path / "gen.png", 2400, 3000)
    with crew.app.uow() as uow:
        item = production.Upload(path, "ai", ai_workflow="model-shots@3")
        production.upload_version(uow, crew["aiop"], key, item, NOW, submit=True)
    with crew.app.uow() as uow:
        from shotline.domain.review import gates_for
        from shotline.services.policies import load_active_policy

        policy = load_active_policy(uow, crew["admin"].workspace_id).policy
        gates = gates_for(policy, "ai_generated", "ai")
    deciders = {"technical": "qc", "styling_fit": "cd", "brand_merch": "cd", "final_qc": "qc2"}
    for gate in gates:
        crew.decide(deciders[gate], key, gate)
    out = tmp_path / "out"
    with crew.app.uow() as uow:
        production.deliver(uow, crew["dam"], key, ["pdp"], NOW, out)
    [package] = list(out.iterdir())
    [entry] = json.loads((package / "manifest.json").read_text())
    assert (entry["ai_label"], entry["ai_workflow"]) == ("AI-generated", "model-shots@3")
    with pyexiv2.Image(str(package / entry["file"])) as image:
        xmp = image.read_xmp()
    source_type = next(v for k, v in xmp.items() if k.endswith("DigitalSourceType"))
    assert source_type.endswith("/trainedAlgorithmicMedia")
    assert any("model-shots@3" in str(v) for v in xmp.values())


def test_delivery_is_refused_once_rights_have_expired(crew: Crew, tmp_path: Path) -> None:
    _approved(crew, tmp_path)
    _set_rights(crew, NOW - dt.timedelta(days=1))
    out = tmp_path / "out"
    with pytest.raises(rights.RightsExpired, match=r"usage rights .* expired on 2026-11-24"):
        _deliver(crew, out, ["pdp"])
    assert crew.state(FRONT)[0] == "approved"
    assert not out.exists() or list(out.iterdir()) == []


def test_an_asset_that_is_not_approved_is_refused(crew: Crew, tmp_path: Path) -> None:
    crew.import_rows([row()])
    crew.upload("retoucher", FRONT, "retouch")
    out = tmp_path / "out"
    with pytest.raises(IllegalTransition, match="in_review, not approved"):
        _deliver(crew, out, ["pdp"])
    assert not out.exists() or list(out.iterdir()) == []
