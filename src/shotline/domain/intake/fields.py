"""The core intake fields every policy shares, and how spreadsheet headers map onto them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

PRIORITIES: tuple[str, ...] = ("low", "normal", "high", "urgent")
PRIORITY_RANK: dict[str, int] = {name: rank for rank, name in enumerate(reversed(PRIORITIES))}

# Canonical name -> aliases a real spreadsheet tends to use. Policies may add more.
CORE_FIELDS: dict[str, tuple[str, ...]] = {
    "sku": ("product_id", "style", "style_number", "style_no", "item", "item_number", "article"),
    "product_name": ("name", "title", "product", "product_title"),
    "category": ("product_category", "cat", "department"),
    "colorways": ("colorway", "colourways", "colourway", "colors", "colours", "color", "colour"),
    "views": ("view", "shots", "shot_list", "angles"),
    "channels": ("channel", "destinations", "outputs"),
    "deadline": ("due", "due_date", "launch_date", "live_date", "date_needed"),
    "priority": ("prio",),
    "creative_reference": ("reference", "references", "creative_references", "ref", "moodboard"),
    "approval_owner": ("approver", "approved_by", "owner"),
    "production_path": ("path", "production_track"),
    "complexity": ("complexity_class", "complexity_override"),
}

# Fields that hold several values in one cell.
LIST_FIELDS: frozenset[str] = frozenset({"colorways", "views", "channels"})
# Colorway names may contain commas ("Black, Gold"), so only | and ; separate them.
_COLORWAY_SPLIT = re.compile(r"[|;]")
_CODE_LIST_SPLIT = re.compile(r"[|;,]")


def normalise_header(header: str) -> str:
    """`" Colour Ways "` -> `"colour_ways"`: case, spaces and dashes do not matter."""
    text = header.strip().lstrip("\ufeff").lower()
    return re.sub(r"[\s\-./]+", "_", text).strip("_")


def header_key(header: str) -> str:
    """Lookup key of a header: "Colour Ways", "colourways" and "COLOUR_WAYS" are one key."""
    return normalise_header(header).replace("_", "")


def header_map(
    extra_fields: Mapping[str, Iterable[str]],
) -> dict[str, str]:
    """Every accepted spelling (as `header_key`) -> canonical field name."""
    mapping: dict[str, str] = {}
    for canonical, aliases in {**CORE_FIELDS, **extra_fields}.items():
        mapping[header_key(canonical)] = canonical
        for alias in aliases:
            mapping.setdefault(header_key(alias), canonical)
    return mapping


def split_list(cell: str, field: str) -> list[str]:
    """`"black | navy;red"` -> `["black", "navy", "red"]`, blanks and repeats dropped."""
    splitter = _COLORWAY_SPLIT if field == "colorways" else _CODE_LIST_SPLIT
    items = [item.strip() for item in splitter.split(cell)]
    seen: dict[str, str] = {}
    for item in items:
        if item:
            seen.setdefault(item.casefold(), item)
    return list(seen.values())


def as_code(text: str) -> str:
    """A view or channel as typed ("On Model", "instagram-feed") -> its code form."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())
