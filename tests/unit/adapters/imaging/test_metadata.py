"""The XMP packet, read back by an independent reader (exiv2, through pyexiv2)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pyexiv2
import pytest
import pyvips

from shotline.adapters.imaging.metadata import (
    DIGITAL_SOURCE_TYPES,
    SHOTLINE_NS,
    SHOTLINE_PREFIX,
    EmbeddedMetadata,
    MetadataError,
    xmp_packet,
)

TRAINED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
COMPOSITE = "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
FULL = EmbeddedMetadata(
    sku="AB-100",
    colorway="navy",
    view="front",
    creator="Ann Lee",
    copyright="© 2026 Brand Co.",
    usage_terms="Web and marketplace use until 2027-06-30",
    digital_source_type="generated",
    ai_workflow="flatlay-to-model@3",
)


@pytest.fixture(scope="module", autouse=True)
def _shotline_namespace() -> None:
    # exiv2 reads the properties of namespaces it knows (registering twice is harmless).
    pyexiv2.registerNs(SHOTLINE_NS, SHOTLINE_PREFIX)


def _jpeg_with(packet: bytes, path: Path) -> Path:
    image = pyvips.Image.new_from_array(np.full((16, 16, 3), 200, np.uint8))
    image = image.copy(interpretation="srgb")
    image.set_type(pyvips.GValue.blob_type, "xmp-data", packet)
    image.jpegsave(str(path), keep="xmp")
    return path


def _read(path: Path) -> dict[str, Any]:
    with pyexiv2.Image(str(path)) as image:
        xmp: dict[str, Any] = image.read_xmp()
    return xmp


def test_the_digital_source_type_uris_are_iptc_newscodes() -> None:
    assert DIGITAL_SOURCE_TYPES == {"generated": TRAINED, "assisted": COMPOSITE}


def test_packet_is_well_formed_xmp() -> None:
    packet = xmp_packet(FULL).decode("utf-8")
    assert packet.startswith('<?xpacket begin="\ufeff"')
    assert packet.endswith('<?xpacket end="w"?>')
    body = packet[packet.index("<x:xmpmeta") : packet.index("</x:xmpmeta>") + len("</x:xmpmeta>")]
    root = ET.fromstring(body)
    rdf = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
    description = root.find(f"{rdf}RDF/{rdf}Description")
    assert description is not None
    ext = "{http://iptc.org/std/Iptc4xmpExt/2008-02-29/}"
    assert description.findtext(f"{ext}DigitalSourceType") == TRAINED
    assert description.findtext(f"{{{SHOTLINE_NS}}}Sku") == "AB-100"


def test_every_field_reads_back_with_exiv2(tmp_path: Path) -> None:
    xmp = _read(_jpeg_with(xmp_packet(FULL), tmp_path / "full.jpg"))
    assert xmp["Xmp.shotline.Sku"] == "AB-100"
    assert xmp["Xmp.shotline.Colorway"] == "navy"
    assert xmp["Xmp.shotline.View"] == "front"
    assert xmp["Xmp.dc.creator"] == ["Ann Lee"]
    assert xmp["Xmp.photoshop.Credit"] == "Ann Lee"
    assert xmp["Xmp.dc.rights"] == {'lang="x-default"': "© 2026 Brand Co."}
    assert xmp["Xmp.xmpRights.Marked"] == "True"
    assert xmp["Xmp.xmpRights.UsageTerms"] == {
        'lang="x-default"': "Web and marketplace use until 2027-06-30"
    }
    assert xmp["Xmp.iptcExt.DigitalSourceType"] == TRAINED
    assert xmp["Xmp.iptcExt.AISystemUsed"] == "flatlay-to-model"
    assert xmp["Xmp.iptcExt.AISystemVersionUsed"] == "3"
    assert xmp["Xmp.shotline.AiWorkflow"] == "flatlay-to-model@3"


def test_ai_assisted_reads_back_as_composite(tmp_path: Path) -> None:
    meta = EmbeddedMetadata(
        sku="A", colorway="b", view="c", digital_source_type="assisted", ai_workflow="relight@1"
    )
    xmp = _read(_jpeg_with(xmp_packet(meta), tmp_path / "assisted.jpg"))
    assert xmp["Xmp.iptcExt.DigitalSourceType"] == COMPOSITE


def test_a_photograph_carries_no_ai_label(tmp_path: Path) -> None:
    meta = EmbeddedMetadata(sku="A", colorway="b", view="c", copyright="© Brand")
    xmp = _read(_jpeg_with(xmp_packet(meta), tmp_path / "photo.jpg"))
    assert "Xmp.iptcExt.DigitalSourceType" not in xmp
    assert "Xmp.shotline.AiWorkflow" not in xmp
    assert "Xmp.dc.creator" not in xmp


def test_the_minimal_packet_keeps_only_rights_and_the_ai_disclosure(tmp_path: Path) -> None:
    xmp = _read(_jpeg_with(xmp_packet(FULL, minimal=True), tmp_path / "minimal.jpg"))
    assert set(xmp) == {
        "Xmp.dc.rights",
        "Xmp.xmpRights.Marked",
        "Xmp.iptcExt.DigitalSourceType",
        "Xmp.iptcExt.AISystemUsed",
        "Xmp.iptcExt.AISystemVersionUsed",
        "Xmp.shotline.AiWorkflow",
    }


def test_markup_and_control_characters_in_values_are_escaped(tmp_path: Path) -> None:
    meta = EmbeddedMetadata(
        sku="A<1>&\"2'",
        colorway="navy\x00\x07",
        view="front",
        usage_terms="</rdf:li></rdf:Alt><evil/>",
    )
    xmp = _read(_jpeg_with(xmp_packet(meta), tmp_path / "escaped.jpg"))
    assert xmp["Xmp.shotline.Sku"] == "A<1>&\"2'"
    assert xmp["Xmp.shotline.Colorway"] == "navy"
    assert xmp["Xmp.xmpRights.UsageTerms"] == {'lang="x-default"': "</rdf:li></rdf:Alt><evil/>"}


def test_a_full_uri_is_accepted_as_the_source_type() -> None:
    meta = EmbeddedMetadata(sku="A", colorway="b", view="c", digital_source_type=COMPOSITE)
    assert COMPOSITE.encode() in xmp_packet(meta)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"digital_source_type": "ai"}, "digital source type 'ai': expected one of generated"),
        ({"ai_workflow": "x@1"}, "AI workflow 'x@1' given without a digital source type"),
    ],
)
def test_bad_metadata_is_refused(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(MetadataError, match=message):
        EmbeddedMetadata(sku="A", colorway="b", view="c", **kwargs)
