"""`shotline render IMAGE --channel NAME --out DIR`: one channel rendition, no database."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from shotline.adapters.imaging.metadata import DIGITAL_SOURCE_TYPES, EmbeddedMetadata
from shotline.adapters.imaging.render import Rendition, render
from shotline.domain.errors import ShotlineError
from shotline.domain.naming import channel_file_name, extension, slug
from shotline.domain.policy.model import Policy
from shotline.entrypoints.cli.context import console, read_policy_file
from shotline.services import policies


def render_command(
    image: Path = typer.Argument(..., help="Source image (JPEG, PNG, TIFF, WebP, HEIC, RAW)"),
    channel: str = typer.Option(..., "--channel", "-c", help="Channel code, e.g. amazon_main"),
    out: Path = typer.Option(..., "--out", "-o", help="Folder to write the rendition to"),
    as_json: bool = typer.Option(False, "--json", help="Print the rendition as JSON"),
    policy_file: Path | None = typer.Option(
        None, "--policy", help="Policy YAML with the channel (default: the packaged default)"
    ),
    sku: str | None = typer.Option(None, "--sku", help="Name and tag the file for this SKU"),
    colorway: str | None = typer.Option(None, "--colorway"),
    view: str | None = typer.Option(None, "--view"),
    version: int = typer.Option(1, "--version", min=1, help="Version number for {version}"),
    index: int = typer.Option(1, "--index", min=1, help="Position among the channel's images"),
    asin: str | None = typer.Option(None, "--asin", help="For {asin_or_sku}"),
    gtin: str | None = typer.Option(None, "--gtin", help="For {gtin}"),
    creator: str | None = typer.Option(None, "--creator"),
    copyright_: str | None = typer.Option(None, "--copyright"),
    usage_terms: str | None = typer.Option(None, "--usage-terms"),
    ai: str | None = typer.Option(
        None, "--ai", help=f"AI-made image: {' or '.join(DIGITAL_SOURCE_TYPES)}"
    ),
    ai_workflow: str | None = typer.Option(None, "--ai-workflow", help="name@version"),
) -> None:
    """Make a channel's rendition of one image: size, crop, background, sRGB, format,
    quality within the size limit, metadata per channel. With --sku, --colorway and --view
    the file is named by the channel's naming template and carries them as XMP; without,
    it is named IMAGE_CHANNEL.EXT."""
    policy = _policy(policy_file)
    if channel not in policy.channels:
        raise ShotlineError(
            f"unknown channel {channel!r}; expected one of {', '.join(policy.channels)}"
        )
    spec = policy.channels[channel]
    ext = extension(spec.format)
    identity = (sku, colorway, view)
    tagged = [
        flag
        for flag, value in (
            ("--creator", creator),
            ("--copyright", copyright_),
            ("--usage-terms", usage_terms),
            ("--ai", ai),
            ("--ai-workflow", ai_workflow),
            ("--asin", asin),
            ("--gtin", gtin),
        )
        if value
    ]
    metadata = None
    if all(identity):
        assert sku is not None and colorway is not None and view is not None
        extra = {k: v for k, v in (("asin", asin), ("gtin", gtin)) if v}
        name = channel_file_name(
            policy,
            channel,
            sku=sku,
            colorway=colorway,
            view=view,
            version=version,
            ext=ext,
            index=index,
            extra=extra,
        )
        metadata = EmbeddedMetadata(
            sku=sku,
            colorway=colorway,
            view=view,
            creator=creator,
            copyright=copyright_,
            usage_terms=usage_terms,
            digital_source_type=ai,
            ai_workflow=ai_workflow,
        )
    elif any(identity) or tagged:
        missing = [
            f for f, v in zip(("--sku", "--colorway", "--view"), identity, strict=True) if not v
        ]
        given = [f for f, v in zip(("--sku", "--colorway", "--view"), identity, strict=True) if v]
        raise ShotlineError(
            f"{', '.join(given + tagged)} need{'s' if len(given + tagged) == 1 else ''} "
            f"{', '.join(missing)} as well (the file is named and tagged by SKU, colorway "
            "and view)"
        )
    else:
        name = f"{slug(image.stem) or 'image'}_{channel}.{ext}"
    result = render(image, channel, spec, out, name, metadata)
    _report(result, as_json)


def _policy(path: Path | None) -> Policy:
    if path is None:
        return policies.check_policy(policies.default_policy_text(), "default policy")
    return policies.check_policy(read_policy_file(path), str(path))


def _report(result: Rendition, as_json: bool) -> None:
    if as_json:
        data = {
            "path": str(result.path),
            "channel": result.channel,
            "width": result.width,
            "height": result.height,
            "bytes": result.bytes,
            "quality": result.quality,
            "fill_ratio": result.fill_ratio,
            "sha256": result.sha256,
        }
        typer.echo(json.dumps(data, indent=2))
        return
    fill = f", product fills {result.fill_ratio:.0%}" if result.fill_ratio is not None else ""
    quality = f", quality {result.quality}" if result.quality is not None else ""
    console.print(
        f"{result.channel}: {result.path} {result.width}x{result.height}, "
        f"{result.bytes:,} bytes{quality}{fill}",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )
