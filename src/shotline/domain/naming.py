"""File names from the policy's naming templates, and back.

A template is Python format syntax over a fixed set of placeholders
(`{sku}_{colorway}_{view}_v{version}.{ext}`, `{asin_or_sku}.PT{index:02}.{ext}`). Every value
is made safe before it is placed (`slug`): no path separators, no `..`, no control or
shell-hostile characters, so a name built here can be joined to a folder without escaping
it. `parse_name` is the inverse used to map uploaded files to assets: it returns the slugged
values, so callers compare them with `slug(asset.sku)` and so on.

Pure: no I/O.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

from shotline.domain.errors import ShotlineError
from shotline.domain.policy.model import Naming, Policy

# Every placeholder a template may use. `index` is the 1-based position of an image among a
# channel's images of one SKU and colorway (Amazon's PT01..PT08).
PLACEHOLDERS = frozenset(
    {
        "sku",
        "colorway",
        "view",
        "version",
        "ext",
        "channel",
        "gtin",
        "asin_or_sku",
        "facing",
        "angle",
        "index",
    }
)
_NUMERIC = frozenset({"version", "index"})

# GS1 Product Image Specification facing (one digit) and angle (one letter) codes for the
# views a shot list commonly names; `extra` overrides them, other views give facing 0
# ("not applicable") and angle N.
GS1_VIEWS: dict[str, tuple[str, str]] = {
    "front": ("1", "C"),
    "front_left": ("1", "L"),
    "front_right": ("1", "R"),
    "three_quarter": ("1", "R"),
    "left": ("2", "C"),
    "side": ("2", "C"),
    "top": ("3", "C"),
    "back": ("7", "C"),
    "right": ("8", "C"),
    "bottom": ("9", "C"),
    "sole": ("9", "C"),
}

# Windows refuses these as file names whatever the extension; marketplaces unpack on Windows.
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)
_UNSAFE = re.compile(r"[^A-Za-z0-9.\-]+")
_MAX_NAME_BYTES = 255


class NamingError(ShotlineError):
    """A file name cannot be made from a template: a missing value, a bad template, or a
    value that leaves nothing safe to write."""


@dataclass(frozen=True)
class NameParts:
    """What a file name says, by placeholder; values are as they appear in the name."""

    sku: str | None
    colorway: str | None
    view: str | None
    version: int | None
    ext: str | None
    fields: dict[str, str] = field(default_factory=dict)


def slug(value: str | int) -> str:
    """`value` made safe for a file name: accents dropped, anything but letters, digits, `-`
    and `.` turned into `-` (so `_`, the default separator, never appears inside a value),
    runs of dots collapsed (no `..`), no leading or trailing `-` or `.`. Case is kept: SKUs
    are case-significant at many brands. May return an empty string."""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _UNSAFE.sub("-", text)
    text = re.sub(r"\.{2,}", ".", text)
    text = re.sub(r"-{2,}", "-", text)
    return text.strip("-.")


def extension(image_format: str) -> str:
    """The file extension for an image format name (`jpeg` -> `jpg`)."""
    fmt = image_format.lower().lstrip(".")
    return {"jpeg": "jpg", "tiff": "tif"}.get(fmt, fmt)


def render_name(
    template: str, fields: Mapping[str, str | int], *, where: str = "naming.template"
) -> str:
    """Fill `template` with `fields` (each value slugged; integers may carry a format spec,
    e.g. `{index:02}`). Raises `NamingError` naming `where` and the placeholder when a value
    is missing or empty, or when the template itself would write an unsafe name."""
    out: list[str] = []
    for literal, name, spec, conversion in _parse(template, where):
        out.append(literal)
        if name is None:
            continue
        if conversion:
            raise NamingError(f"{where}: conversions like !{conversion} are not allowed")
        if name not in fields or fields[name] == "" or fields[name] is None:
            raise NamingError(f"{where}: no value for {{{name}}}")
        value = fields[name]
        try:
            if isinstance(value, int) and not isinstance(value, bool):
                text = format(value, spec or "")
            else:
                text = format(slug(value), spec or "")
        except ValueError as exc:
            raise NamingError(f"{where}: bad format for {{{name}}}: {exc}") from None
        if not slug(text):
            raise NamingError(f"{where}: {{{name}}} is {value!r}, which leaves no safe characters")
        out.append(text)
    name = "".join(out)
    _check_safe(name, where)
    return name


def stored_name(
    policy: Policy | Naming, *, sku: str, colorway: str, view: str, version: int, ext: str
) -> str:
    """The name a version is stored and known by, from `naming.template`."""
    naming = _naming(policy)
    fields: dict[str, str | int] = {
        "sku": sku,
        "colorway": colorway,
        "view": view,
        "version": version,
        "ext": extension(ext),
    }
    return render_name(naming.template, fields, where="naming.template")


def channel_template(policy: Policy | Naming, channel_name: str, view: str | None = None) -> str:
    """The template a channel's files are named by: a view-specific one
    (`naming.views.CHANNEL.VIEW`), else the channel's (`naming.channels.CHANNEL`), else the
    policy's general template."""
    naming = _naming(policy)
    if view is not None:
        by_view = naming.views.get(channel_name, {})
        if view in by_view:
            return by_view[view]
    return naming.channels.get(channel_name, naming.template)


def channel_file_name(
    policy: Policy,
    channel_name: str,
    *,
    sku: str,
    colorway: str,
    view: str,
    version: int,
    ext: str,
    index: int,
    extra: Mapping[str, str] | None = None,
) -> str:
    """The name of one rendition delivered to a channel.

    `index` is the 1-based position of this image among the channel's images of the SKU and
    colorway (Amazon PT01..PT08); it may not exceed the channel's `max_images`. `extra` gives
    identifiers the asset may have: `asin` (else `{asin_or_sku}` is the SKU), `gtin` (padded to
    GTIN-14 and check-digit verified), `facing` and `angle` (else taken from the view, GS1).
    """
    if channel_name not in policy.channels:
        known = ", ".join(policy.channels)
        raise NamingError(f"unknown channel {channel_name!r}; expected one of {known}")
    channel = policy.channels[channel_name]
    template = channel_template(policy, channel_name, view)
    if index < 1:
        raise NamingError(f"channel {channel_name}: image index must be 1 or more, got {index}")
    # Only a template that numbers its images has slots to run out of (the swatch has none).
    numbered = "index" in placeholders(template)
    if numbered and channel.max_images is not None and index > channel.max_images:
        raise NamingError(
            f"channel {channel_name} takes at most {channel.max_images} images per SKU and "
            f"colorway; this is image {index}"
        )
    extra = dict(extra or {})
    facing, angle = GS1_VIEWS.get(view, ("0", "N"))
    fields: dict[str, str | int] = {
        "sku": sku,
        "colorway": colorway,
        "view": view,
        "version": version,
        "ext": extension(ext),
        "channel": channel_name,
        "index": index,
        "asin_or_sku": extra.get("asin") or sku,
        "facing": extra.get("facing") or facing,
        "angle": extra.get("angle") or angle,
    }
    if extra.get("gtin"):
        fields["gtin"] = gtin14(extra["gtin"])
    fields.update({k: v for k, v in extra.items() if k not in fields and k != "asin" and v})
    where = (
        f"naming.views.{channel_name}.{view}"
        if view in policy.naming.views.get(channel_name, {})
        else (
            f"naming.channels.{channel_name}"
            if channel_name in policy.naming.channels
            else "naming.template"
        )
    )
    return render_name(template, fields, where=where)


def gtin14(value: str) -> str:
    """A GTIN-8/12/13/14 as the 14 digits GS1 file names use, after checking its check
    digit; raises `NamingError` otherwise."""
    digits = value.strip()
    if not digits.isdigit() or len(digits) not in (8, 12, 13, 14):
        raise NamingError(f"gtin {value!r} is not 8, 12, 13 or 14 digits")
    padded = digits.zfill(14)
    body, check = padded[:-1], int(padded[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(body))
    if (10 - total % 10) % 10 != check:
        raise NamingError(f"gtin {value!r} has a wrong check digit")
    return padded


def parse_name(
    policy: Policy | Naming, file_name: str, *, template: str | None = None
) -> NameParts | None:
    """What `file_name` says under the naming template (or `template`), or None when it
    does not follow it. Values come back as they appear in the name (slugged)."""
    pattern = _pattern(template if template is not None else _naming(policy).template)
    match = pattern.fullmatch(file_name)
    if match is None:
        return None
    found = {k: v for k, v in match.groupdict().items() if v is not None}
    version = found.get("version")
    return NameParts(
        sku=found.get("sku"),
        colorway=found.get("colorway"),
        view=found.get("view"),
        version=int(version) if version is not None else None,
        ext=found.get("ext"),
        fields=found,
    )


def conforms(policy: Policy | Naming, file_name: str) -> bool:
    """True when `file_name` follows the policy's naming template."""
    return parse_name(policy, file_name) is not None


def placeholders(template: str, where: str = "naming.template") -> set[str]:
    """The placeholder names a template uses; raises `NamingError` for a malformed one."""
    return {name for _, name, _, _ in _parse(template, where) if name is not None}


def _naming(policy: Policy | Naming) -> Naming:
    return policy.naming if isinstance(policy, Policy) else policy


def _parse(template: str, where: str) -> list[tuple[str, str | None, str | None, str | None]]:
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise NamingError(f"{where}: bad template {template!r}: {exc}") from None
    for _, name, _, _ in parts:
        if name is None:
            continue
        if name == "":
            raise NamingError(f"{where}: empty placeholder {{}}; name it, e.g. {{sku}}")
        if name not in PLACEHOLDERS:
            raise NamingError(f"{where}: unknown placeholder {{{name}}}")
    return parts


def _check_safe(name: str, where: str) -> None:
    if not name or name in (".", ".."):
        raise NamingError(f"{where}: the template gives an empty file name")
    if "/" in name or "\\" in name or ".." in name or name.startswith((".", "-")):
        raise NamingError(f"{where}: {name!r} is not a safe file name (separator or dots)")
    if any(unicodedata.category(c)[0] == "C" for c in name):
        raise NamingError(f"{where}: {name!r} holds control characters")
    if name.split(".", 1)[0].lower() in _RESERVED:
        raise NamingError(f"{where}: {name!r} is a name Windows reserves")
    if len(name.encode("utf-8")) > _MAX_NAME_BYTES:
        raise NamingError(f"{where}: {name[:40]}... is longer than {_MAX_NAME_BYTES} bytes")


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _pattern(template: str) -> re.Pattern[str]:
    cached = _PATTERNS.get(template)
    if cached is not None:
        return cached
    regex: list[str] = []
    seen: set[str] = set()
    for literal, name, _, _ in _parse(template, "naming.template"):
        regex.append(re.escape(literal))
        if name is None:
            continue
        if name in seen:
            regex.append(f"(?P={name})")
            continue
        seen.add(name)
        if name in _NUMERIC:
            # A zero-padding spec fixes the width ({index:02} -> exactly 2 digits or more).
            regex.append(f"(?P<{name}>[0-9]+)")
        elif name == "ext":
            regex.append(f"(?P<{name}>[A-Za-z0-9]+)")
        else:
            # A slugged value: starts and ends with a letter or digit, never holds `_`.
            regex.append(f"(?P<{name}>[A-Za-z0-9](?:[A-Za-z0-9.\\-]*?[A-Za-z0-9])??)")
    pattern = re.compile("".join(regex))
    _PATTERNS[template] = pattern
    return pattern
