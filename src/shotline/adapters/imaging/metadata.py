"""The metadata a delivered file carries, written as one XMP packet.

Standard properties wherever a standard has one, so any DAM, marketplace or exiftool reads
them: creator (`dc:creator`, `photoshop:Credit`), copyright (`dc:rights`,
`xmpRights:Marked`), usage terms (`xmpRights:UsageTerms`), and for AI-made or AI-assisted
images the IPTC Digital Source Type (`Iptc4xmpExt:DigitalSourceType`, a NewsCodes URI) with
the AI system and its version (`Iptc4xmpExt:AISystemUsed`, `AISystemVersionUsed`, IPTC
2025.1). What no standard covers (SKU, colorway, view, the AI workflow as `name@version`)
goes in Shotline's own namespace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from shotline.domain.errors import ShotlineError

SHOTLINE_NS = "https://shotline.dev/ns/xmp/1.0/"
SHOTLINE_PREFIX = "shotline"
_NEWSCODES = "http://cv.iptc.org/newscodes/digitalsourcetype/"
# The two IPTC Digital Source Types Shotline labels AI images with.
DIGITAL_SOURCE_TYPES: dict[str, str] = {
    "generated": _NEWSCODES + "trainedAlgorithmicMedia",
    "assisted": _NEWSCODES + "compositeWithTrainedAlgorithmicMedia",
}
# XML 1.0 refuses these characters outright; user text must not carry them into a packet.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NAMESPACES = {
    "dc": "http://purl.org/dc/elements/1.1/",
    "photoshop": "http://ns.adobe.com/photoshop/1.0/",
    "xmpRights": "http://ns.adobe.com/xap/1.0/rights/",
    "Iptc4xmpExt": "http://iptc.org/std/Iptc4xmpExt/2008-02-29/",
    SHOTLINE_PREFIX: SHOTLINE_NS,
}


class MetadataError(ShotlineError):
    """Metadata that cannot be embedded as given."""


@dataclass(frozen=True)
class EmbeddedMetadata:
    """What a rendition says about itself. `digital_source_type` is `generated`,
    `assisted` (see `DIGITAL_SOURCE_TYPES`) or one of their URIs, and None for a photograph;
    `ai_workflow` is the registered workflow as `name@version`."""

    sku: str
    colorway: str
    view: str
    creator: str | None = None
    copyright: str | None = None
    usage_terms: str | None = None
    digital_source_type: str | None = None
    ai_workflow: str | None = None

    def __post_init__(self) -> None:
        kind = self.digital_source_type
        if kind is not None and source_type_uri(kind) is None:
            raise MetadataError(
                f"digital source type {kind!r}: expected one of "
                f"{', '.join(DIGITAL_SOURCE_TYPES)} or their IPTC URIs"
            )
        if self.ai_workflow is not None and self.digital_source_type is None:
            raise MetadataError(
                f"AI workflow {self.ai_workflow!r} given without a digital source type "
                "(generated or assisted)"
            )


def source_type_uri(kind: str) -> str | None:
    """The IPTC NewsCodes URI for `generated`/`assisted` (or an accepted URI itself)."""
    if kind in DIGITAL_SOURCE_TYPES:
        return DIGITAL_SOURCE_TYPES[kind]
    return kind if kind in DIGITAL_SOURCE_TYPES.values() else None


def xmp_packet(meta: EmbeddedMetadata, *, minimal: bool = False) -> bytes:
    """The XMP packet (UTF-8) for `meta`. `minimal` keeps only what must travel even to a
    channel that strips metadata: copyright and the AI disclosure."""
    props: list[str] = []
    if not minimal:
        props += [
            _text("shotline:Sku", meta.sku),
            _text("shotline:Colorway", meta.colorway),
            _text("shotline:View", meta.view),
        ]
        if meta.creator:
            props.append(f"<dc:creator><rdf:Seq>{_li(meta.creator)}</rdf:Seq></dc:creator>")
            props.append(_text("photoshop:Credit", meta.creator))
        if meta.usage_terms:
            props.append(_alt("xmpRights:UsageTerms", meta.usage_terms))
    if meta.copyright:
        props.append(_alt("dc:rights", meta.copyright))
        props.append(_text("xmpRights:Marked", "True"))
    if meta.digital_source_type is not None:
        uri = source_type_uri(meta.digital_source_type)
        assert uri is not None  # checked on construction
        props.append(_text("Iptc4xmpExt:DigitalSourceType", uri))
    if meta.ai_workflow:
        name, _, version = meta.ai_workflow.partition("@")
        props.append(_text("shotline:AiWorkflow", meta.ai_workflow))
        props.append(_text("Iptc4xmpExt:AISystemUsed", name))
        if version:
            props.append(_text("Iptc4xmpExt:AISystemVersionUsed", version))
    xmlns = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in _NAMESPACES.items())
    body = "\n   ".join(props)
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        f'  <rdf:Description rdf:about="" {xmlns}>\n'
        f"   {body}\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    )
    return packet.encode("utf-8")


def has_minimal_content(meta: EmbeddedMetadata) -> bool:
    """True when the minimal packet would say anything (copyright or an AI disclosure)."""
    return bool(meta.copyright) or meta.digital_source_type is not None


def _clean(value: str) -> str:
    return escape(_XML_ILLEGAL.sub("", value), {'"': "&quot;"})


def _text(name: str, value: str) -> str:
    return f"<{name}>{_clean(value)}</{name}>"


def _li(value: str) -> str:
    return f"<rdf:li>{_clean(value)}</rdf:li>"


def _alt(name: str, value: str) -> str:
    return (
        f'<{name}><rdf:Alt><rdf:li xml:lang="x-default">{_clean(value)}</rdf:li></rdf:Alt></{name}>'
    )
