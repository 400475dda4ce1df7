"""Generate intake spreadsheets that look like a real brand's: mixed categories, colorways,
channels, production paths and the category-specific fields the default policy asks for."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

HEADERS = (
    "sku",
    "product_name",
    "category",
    "colorways",
    "views",
    "channels",
    "deadline",
    "priority",
    "creative_reference",
    "approval_owner",
    "production_path",
    "size_represented",
    "ghost_mannequin",
    "fabric",
    "color_priority",
    "metal_type",
    "stone_type",
    "reflection_rules",
    "source_image",
    "target_model_type",
    "pose",
    "anatomy_risk",
    "human_qc",
)
_COLORS = ("Black", "White", "Navy", "Sand", "Olive", "Burgundy", "Ivory", "Charcoal", "Rose")
_FABRICS = ("cotton jersey", "linen", "denim", "wool knit", "silk satin", "lace", "sequin mesh")
_METALS = ("14k gold", "sterling silver", "platinum", "brass")
_STONES = ("none", "none", "diamond", "sapphire", "pearl")
_NAMES = {
    "apparel": ("Tee", "Shirt", "Dress", "Blazer", "Knit Sweater", "Trousers"),
    "shoes": ("Sneaker", "Loafer", "Boot", "Sandal"),
    "bags": ("Tote", "Crossbody", "Backpack", "Clutch"),
    "jewelry": ("Ring", "Necklace", "Hoops", "Bracelet"),
}
_CATEGORY_WEIGHTS = (("apparel", 55), ("shoes", 15), ("bags", 12), ("jewelry", 18))
_PATHS = (
    ("catalog", 70),
    ("hero", 8),
    ("marketplace", 12),
    ("ai_generated", 8),
    ("ai_experimental", 2),
)
_CHANNEL_SETS = (
    "pdp",
    "pdp|amazon_main",
    "pdp|instagram_feed",
    "pdp|amazon_main|shopify",
    "marketplace_generic|amazon_secondary",
)


def _weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _category_fields(rng: random.Random, category: str) -> dict[str, str]:
    if category == "apparel":
        return {
            "size_represented": rng.choice(("S", "M", "M", "L")),
            "ghost_mannequin": rng.choice(("yes", "no", "no")),
            "fabric": rng.choice(_FABRICS),
            "color_priority": rng.choice(("standard", "standard", "high", "critical")),
        }
    if category == "jewelry":
        return {
            "metal_type": rng.choice(_METALS),
            "stone_type": rng.choice(_STONES),
            "reflection_rules": "soft box, no studio reflections",
        }
    return {}


def generate_rows(
    count: int, seed: int, today: dt.date, prefix: str = "SL"
) -> list[dict[str, str]]:
    """`count` SKU lines, 1-3 colorways each; deadlines 5-40 days after `today`, some none."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    for n in range(count):
        category = _weighted(rng, _CATEGORY_WEIGHTS)
        path = _weighted(rng, _PATHS)
        colorways = rng.sample(_COLORS, rng.randint(1, 3))
        deadline = today + dt.timedelta(days=rng.randint(5, 40))
        row = dict.fromkeys(HEADERS, "")
        row |= {
            "sku": f"{prefix}-{category[:2].upper()}-{n:06d}",
            "product_name": f"{rng.choice(_NAMES[category])} {n}",
            "category": category,
            "colorways": "|".join(colorways),
            "channels": rng.choice(_CHANNEL_SETS),
            "deadline": deadline.isoformat() if rng.random() < 0.7 else "",
            "priority": rng.choice(("normal", "normal", "normal", "high", "low", "urgent")),
            "creative_reference": f"moodboard/{category}/{n % 12}",
            "approval_owner": rng.choice(("maya.merch", "li.merch", "sam.cd")),
            "production_path": path,
        }
        row |= _category_fields(rng, category)
        if path.startswith("ai_"):
            row |= {
                "source_image": f"flatlay/{row['sku']}.tif",
                "target_model_type": "female 1.75m",
                "pose": "front standing",
                "anatomy_risk": rng.choice(("low", "medium", "high")),
                "human_qc": "yes",
            }
        rows.append(row)
    return rows


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write rows as a UTF-8 CSV with the canonical headers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(HEADERS))
        writer.writeheader()
        writer.writerows(rows)
    return path
