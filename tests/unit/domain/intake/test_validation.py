"""Intake validation against the default policy: every rule, every problem of a row at once.

`NOW` is Wednesday 2026-11-25 15:00 UTC = 10:00 EST, the day before Thanksgiving (a holiday in
the default calendar: New York, Mon-Fri 09:00-18:00, 9 business hours a day). From NOW:
  Wed 10:00-18:00 = 8h, Thu 11-26 holiday, Fri 11-27 9h (17h), weekend, Mon 11-30 9h (26h),
  Tue 12-01 (35h), Wed 12-02 (44h), Thu 12-03 (53h), Fri 12-04 ...
so catalog C1 (16h) is due Fri 17:00 EST, catalog C2 (24h) Mon 16:00 EST and
high_complexity C3 (56h) Fri 12-04 12:00 EST.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

import pytest

from shotline.domain.intake.model import (
    AcceptedLine,
    AssetSpec,
    CellValue,
    FieldError,
    IntakeResult,
    IntakeTable,
    RawRow,
    RejectedLine,
)
from shotline.domain.intake.validation import validate_intake
from shotline.domain.policy import Policy

NOW = dt.datetime(2026, 11, 25, 15, tzinfo=dt.UTC)
APPAREL_SHOTS = ["front", "back", "side", "detail", "texture", "on_model", "ghost"]
ALL_CHANNELS = (
    "pdp, amazon_main, amazon_secondary, shopify, instagram_feed, instagram_story, "
    "marketplace_generic"
)

Row = Mapping[str, CellValue]

TEE: dict[str, CellValue] = {
    "SKU": "TEE-001",
    "Product Name": "Plain cotton tee",
    "Category": "apparel",
    "Colorways": "White|Black",
    "Views": "front|back|detail",
    "Channels": "pdp|amazon_main",
    "Priority": "normal",
    "Approval Owner": "m.lee",
    "Production Path": "catalog",
    "Size Represented": "M",
    "Ghost Mannequin": "no",
    "Fabric": "cotton",
    "Color Priority": "standard",
}

RING: dict[str, CellValue] = {
    "SKU": "RING-9",
    "Product Name": "Diamond solitaire",
    "Category": "jewelry",
    "Colorways": "Yellow Gold",
    "Views": "main|macro",
    "Channels": "pdp",
    "Priority": "high",
    "Approval Owner": "m.lee",
    "Production Path": "catalog",
    "Metal Type": "18k gold",
    "Stone Type": "diamond",
    "Reflection Rules": "no gear reflections",
}

SNEAKER_AI: dict[str, CellValue] = {
    "SKU": "SNK-7",
    "Product Name": "Runner",
    "Category": "shoes",
    "Colorways": "Grey",
    "Views": "side|on_foot",
    "Channels": "pdp",
    "Priority": "normal",
    "Approval Owner": "m.lee",
    "Production Path": "ai_generated",
    "Source Image": "flatlay/SNK-7.tif",
    "Target Model Type": "runner, mid-stride",
    "Pose": "walking",
    "Anatomy Risk": "low",
    "Human QC": "yes",
}


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)  # type: ignore[misc]


def table(*rows: Row, numbers: list[int] | None = None) -> IntakeTable:
    """An intake table whose headers are every key the rows use, in first-seen order."""
    headers: dict[str, None] = {}
    for row in rows:
        headers.update(dict.fromkeys(row))
    numbers = numbers or list(range(2, len(rows) + 2))
    return IntakeTable(
        source="test.csv",
        checksum="0" * 64,
        headers=tuple(headers),
        rows=tuple(RawRow(n, dict(r)) for n, r in zip(numbers, rows, strict=True)),
    )


def check(policy: Policy, *rows: Row, open_keys: Collection[tuple[str, str]] = ()) -> IntakeResult:
    return validate_intake(table(*rows), policy, NOW, open_keys)


def accept(policy: Policy, row: Row) -> AcceptedLine:
    result = check(policy, row)
    assert result.rejected == [], result.rejected
    (line,) = result.accepted
    return line


def reject(policy: Policy, row: Row) -> RejectedLine:
    result = check(policy, row)
    assert result.accepted == []
    (line,) = result.rejected
    return line


def with_(row: Row, **changes: CellValue) -> dict[str, CellValue]:
    """A copy of `row` with cells changed; keyword `Product_Name` means header "Product Name"."""
    return {**row, **{k.replace("_", " "): v for k, v in changes.items()}}


def renamed(row: Row, old: str, new: str) -> dict[str, CellValue]:
    return {(new if k == old else k): v for k, v in row.items()}


# --- the happy path ----------------------------------------------------------------------------


def test_plain_tee_is_accepted_routed_and_due(default_policy: Policy) -> None:
    line = accept(default_policy, TEE)
    assert line.row == 2
    assert line.sku == "TEE-001"
    assert line.product_name == "Plain cotton tee"
    assert line.category == "apparel"
    assert line.colorways == ["White", "Black"]
    assert line.views == ["front", "back", "detail"]
    assert line.channels == ["pdp", "amazon_main"]
    assert line.priority == "normal"
    assert line.production_path == "catalog"
    assert (line.complexity, line.complexity_reasons, line.track) == ("C1", [], "catalog")
    assert line.deadline is None
    assert line.warnings == []
    assert line.fields["fabric"] == "cotton"
    assert line.fields["ghost_mannequin"] == "no"


def test_result_counts_rows(default_policy: Policy) -> None:
    result = check(default_policy, TEE, RING)
    assert (result.rows, len(result.accepted), len(result.rejected)) == (2, 2, 0)
    assert result.notes == []


# --- due times ---------------------------------------------------------------------------------


def test_due_is_now_plus_sla_across_thanksgiving(default_policy: Policy) -> None:
    # catalog C1 = 16h: Wed 10:00-18:00 (8h), Thanksgiving skipped, Fri 09:00 + 8h = 17:00 EST.
    assert accept(default_policy, TEE).due == utc(2026, 11, 27, 22)


def test_due_is_now_plus_sla_across_thanksgiving_and_weekend(default_policy: Policy) -> None:
    # ghost mannequin -> C2, catalog C2 = 24h: Wed 8h + Fri 9h, weekend, Mon 09:00 + 7h = 16:00 EST.
    line = accept(default_policy, with_(TEE, Ghost_Mannequin="yes"))
    assert (line.complexity, line.track) == ("C2", "catalog")
    assert line.due == utc(2026, 11, 30, 21)


def test_sequin_dress_goes_to_high_complexity_with_its_sla(default_policy: Policy) -> None:
    # high_complexity C3 = 56h: 53h by Thu 12-03 closing, then Fri 12-04 09:00 + 3h = 12:00 EST.
    line = accept(default_policy, with_(TEE, Fabric="sequin"))
    assert (line.complexity, line.complexity_reasons) == ("C3", ["complex fabric"])
    assert line.track == "high_complexity"
    assert line.due == utc(2026, 12, 4, 17)


def test_diamond_ring_is_c4_high_complexity(default_policy: Policy) -> None:
    line = accept(default_policy, RING)
    assert (line.complexity, line.track) == ("C4", "high_complexity")


def test_due_is_the_deadline_when_given(default_policy: Policy) -> None:
    line = accept(default_policy, with_(TEE, Deadline="2026-12-10T17:00"))
    assert line.deadline == utc(2026, 12, 10, 22)  # naive = New York time, EST
    assert line.due == line.deadline
    assert line.warnings == []


def test_deadline_tighter_than_sla_is_accepted_with_a_warning(default_policy: Policy) -> None:
    # Fri 12:00 EST (17:00Z) is before the catalog C1 due time, Fri 17:00 EST (22:00Z).
    line = accept(default_policy, with_(TEE, Deadline="2026-11-27T12:00"))
    assert line.due == utc(2026, 11, 27, 17)
    assert line.warnings == [
        "deadline 2026-11-27T17:00:00+00:00 is tighter than the catalog SLA for C1 "
        "(16 business hours, due 2026-11-27T22:00:00+00:00 otherwise)"
    ]


# --- deadlines ---------------------------------------------------------------------------------


def test_date_only_deadline_means_end_of_that_day_local(default_policy: Policy) -> None:
    # 2026-12-10 23:59:59 EST = 2026-12-11 04:59:59 UTC.
    line = accept(default_policy, with_(TEE, Deadline="2026-12-10"))
    assert line.deadline == utc(2026, 12, 11, 4, 59, 59)
    assert line.due == line.deadline


def test_date_cell_means_end_of_that_day_local(default_policy: Policy) -> None:
    line = accept(default_policy, with_(TEE, Deadline=dt.date(2026, 12, 10)))
    assert line.deadline == utc(2026, 12, 11, 4, 59, 59)


def test_naive_datetime_cell_is_workspace_time(default_policy: Policy) -> None:
    line = accept(default_policy, with_(TEE, Deadline=dt.datetime(2026, 12, 10, 17, 0)))
    assert line.deadline == utc(2026, 12, 10, 22)


def test_aware_datetime_cell_keeps_its_instant(default_policy: Policy) -> None:
    line = accept(default_policy, with_(TEE, Deadline=utc(2026, 12, 10, 17)))
    assert line.deadline == utc(2026, 12, 10, 17)


def test_iso_datetime_with_offset(default_policy: Policy) -> None:
    line = accept(default_policy, with_(TEE, Deadline="2026-12-10T17:00:00+01:00"))
    assert line.deadline == utc(2026, 12, 10, 16)


@pytest.mark.parametrize("text", ["next friday", "2026-13-45", "12/10/2026", "10 Dec"])
def test_bad_deadline_text(default_policy: Policy, text: str) -> None:
    line = reject(default_policy, with_(TEE, Deadline=text))
    assert line.errors == [
        FieldError(
            "deadline",
            f"expected an ISO date like 2026-12-01 or datetime like 2026-12-01T17:00, got {text!r}",
        )
    ]


@pytest.mark.parametrize("text", ["2026-11-20", "2026-11-25T09:00"])
def test_past_deadline(default_policy: Policy, text: str) -> None:
    # 2026-11-25T09:00 EST is 14:00Z, an hour before NOW.
    line = reject(default_policy, with_(TEE, Deadline=text))
    assert line.errors == [FieldError("deadline", f"deadline {text} is in the past")]


def test_deadline_later_today_is_not_past(default_policy: Policy) -> None:
    line = accept(default_policy, with_(TEE, Deadline="2026-11-25"))
    assert line.deadline == utc(2026, 11, 26, 4, 59, 59)


# --- required and known values -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("SKU", "sku"),
        ("Product Name", "product_name"),
        ("Category", "category"),
        ("Colorways", "colorways"),
        ("Channels", "channels"),
        ("Approval Owner", "approval_owner"),
        ("Priority", "priority"),
        ("Production Path", "production_path"),
    ],
)
def test_missing_required_field(default_policy: Policy, header: str, field: str) -> None:
    row = {k: v for k, v in TEE.items() if k != header}
    errors = reject(default_policy, row).errors
    assert FieldError(field, "required field is missing") in errors


def test_blank_required_cell_counts_as_missing(default_policy: Policy) -> None:
    line = reject(default_policy, with_(TEE, Approval_Owner="   "))
    assert line.errors == [FieldError("approval_owner", "required field is missing")]


def test_unknown_category(default_policy: Policy) -> None:
    line = reject(default_policy, with_(TEE, Category="Hats"))
    assert line.errors == [
        FieldError(
            "category", "unknown category 'Hats'; expected one of apparel, shoes, bags, jewelry"
        )
    ]


def test_unknown_channel(default_policy: Policy) -> None:
    line = reject(default_policy, with_(TEE, Channels="pdp|tiktok"))
    assert line.errors == [
        FieldError("channels", f"unknown channel 'tiktok'; expected {ALL_CHANNELS}")
    ]


def test_view_not_in_category_shot_list(default_policy: Policy) -> None:
    line = reject(default_policy, with_(TEE, Views="front|sole"))
    assert line.errors == [
        FieldError(
            "views",
            "view 'sole' is not in the apparel shot list "
            "(front, back, side, detail, texture, on_model, ghost)",
        )
    ]


def test_empty_views_mean_the_full_shot_list(default_policy: Policy) -> None:
    line = accept(default_policy, with_(TEE, Views=""))
    assert line.views == APPAREL_SHOTS
    # The full apparel list includes on_model, which lifts the tee to C2.
    assert (line.complexity, line.complexity_reasons) == ("C2", ["on-model or on-foot views"])
    assert len(line.assets()) == 2 * 7


def test_unknown_priority(default_policy: Policy) -> None:
    line = reject(default_policy, with_(TEE, Priority="asap"))
    assert line.errors == [
        FieldError("priority", "unknown priority 'asap'; expected one of low, normal, high, urgent")
    ]


def test_unknown_production_path(default_policy: Policy) -> None:
    line = reject(default_policy, with_(TEE, Production_Path="outsourced"))
    assert [e.field for e in line.errors] == ["production_path"]
    assert line.errors[0].message.startswith("unknown production path 'outsourced'")


# --- category- and path-specific fields --------------------------------------------------------


def test_jewelry_needs_metal_type(default_policy: Policy) -> None:
    row = {k: v for k, v in RING.items() if k != "Metal Type"}
    line = reject(default_policy, row)
    assert line.errors == [FieldError("metal_type", "required for the jewelry category")]


def test_apparel_needs_its_fields(default_policy: Policy) -> None:
    line = reject(default_policy, with_(TEE, Fabric="", Size_Represented=""))
    assert sorted(line.errors, key=lambda e: e.field) == [
        FieldError("fabric", "required for the apparel category"),
        FieldError("size_represented", "required for the apparel category"),
    ]


def test_unknown_category_does_not_demand_category_fields(default_policy: Policy) -> None:
    row = {k: v for k, v in TEE.items() if k not in ("Fabric", "Size Represented")}
    line = reject(default_policy, with_(row, Category="hats"))
    assert [e.field for e in line.errors] == ["category"]


def test_ai_generated_shoes_are_accepted_with_ai_fields(default_policy: Policy) -> None:
    line = accept(default_policy, SNEAKER_AI)
    assert line.track == "ai_generated"
    assert line.complexity == "C3"  # "AI model shot" (and on_foot view, C2)
    assert line.fields["human_qc"] == "yes"


AI_FIELDS = ("Source Image", "Target Model Type", "Pose", "Anatomy Risk", "Human QC")


@pytest.mark.parametrize("base", [SNEAKER_AI, with_(TEE, Production_Path="ai_generated")])
def test_ai_generated_needs_ai_fields_whatever_the_category(
    default_policy: Policy, base: Row
) -> None:
    row = {k: v for k, v in base.items() if k not in AI_FIELDS}
    line = reject(default_policy, row)
    assert sorted(line.errors, key=lambda e: e.field) == [
        FieldError(name, "required for the ai_generated production path")
        for name in ("anatomy_risk", "human_qc", "pose", "source_image", "target_model_type")
    ]


@pytest.mark.parametrize("value", ["no", "N", "false", "0", False])
def test_human_qc_must_be_yes(default_policy: Policy, value: CellValue) -> None:
    line = reject(default_policy, with_(SNEAKER_AI, Human_QC=value))
    assert line.errors == [FieldError("human_qc", "must be yes")]


def test_human_qc_must_be_a_bool(default_policy: Policy) -> None:
    line = reject(default_policy, with_(SNEAKER_AI, Human_QC="maybe"))
    assert line.errors == [FieldError("human_qc", "expected yes or no, got 'maybe'")]


def test_enum_field_rejects_unknown_value(default_policy: Policy) -> None:
    line = reject(default_policy, with_(SNEAKER_AI, Anatomy_Risk="extreme"))
    assert line.errors == [
        FieldError(
            "anatomy_risk",
            "unknown Anatomy risk level 'extreme'; expected one of low, medium, high",
        )
    ]


# --- cell parsing ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("yes", "yes"),
        ("no", "no"),
        ("true", "yes"),
        ("false", "no"),
        ("y", "yes"),
        ("n", "no"),
        ("1", "yes"),
        ("0", "no"),
        ("YES", "yes"),
        ("False", "no"),
        (" Y ", "yes"),
        (True, "yes"),
        (False, "no"),
        (1, "yes"),
        (0.0, "no"),
    ],
)
def test_bool_parsing(default_policy: Policy, cell: CellValue, expected: str) -> None:
    line = accept(default_policy, with_(TEE, Ghost_Mannequin=cell))
    assert line.fields["ghost_mannequin"] == expected


def test_bad_bool(default_policy: Policy) -> None:
    line = reject(default_policy, with_(TEE, Ghost_Mannequin="sometimes"))
    assert line.errors == [FieldError("ghost_mannequin", "expected yes or no, got 'sometimes'")]


def test_enums_are_case_insensitive(default_policy: Policy) -> None:
    row = with_(
        TEE,
        Category="APPAREL",
        Priority="High",
        Production_Path="Catalog",
        Color_Priority="STANDARD",
        Channels="PDP|Instagram_Feed",
        Views="Front|BACK",
    )
    line = accept(default_policy, row)
    assert (line.category, line.priority, line.production_path) == ("apparel", "high", "catalog")
    assert line.fields["color_priority"] == "standard"
    assert line.channels == ["pdp", "instagram_feed"]
    assert line.views == ["front", "back"]


def test_enum_spaces_and_dashes_read_as_underscores(default_policy: Policy) -> None:
    line = accept(
        default_policy, with_(SNEAKER_AI, Production_Path="AI Generated", Views="On-Foot")
    )
    assert line.production_path == "ai_generated"
    assert line.views == ["on_foot"]


def test_formula_like_text_stays_literal(default_policy: Policy) -> None:
    formula = '=HYPERLINK("http://example.com/x","click me")'
    line = accept(default_policy, with_(TEE, Product_Name=formula))
    assert line.product_name == formula


def test_colorway_names_may_contain_commas(default_policy: Policy) -> None:
    line = accept(default_policy, with_(TEE, Colorways="Black, Gold | Navy;Red"))
    assert line.colorways == ["Black, Gold", "Navy", "Red"]


# --- complexity override -----------------------------------------------------------------------


def test_override_below_computed_is_accepted_with_a_warning(default_policy: Policy) -> None:
    line = accept(default_policy, with_(TEE, Ghost_Mannequin="yes", Complexity="c1"))
    assert (line.complexity, line.track) == ("C1", "catalog")
    assert line.warnings == ["complexity override C1 is below the computed C2 (ghost mannequin)"]
    assert line.due == utc(2026, 11, 27, 22)  # catalog C1 SLA, as for the plain tee


def test_override_above_computed_routes_by_the_override(default_policy: Policy) -> None:
    line = accept(default_policy, with_(TEE, Complexity="C3"))
    assert (line.complexity, line.track, line.warnings) == ("C3", "high_complexity", [])
    assert line.complexity_reasons == []
    assert line.due == utc(2026, 12, 4, 17)


def test_override_header_alias(default_policy: Policy) -> None:
    line = accept(default_policy, {**TEE, "Complexity Override": "C2"})
    assert line.complexity == "C2"


def test_unknown_override(default_policy: Policy) -> None:
    line = reject(default_policy, with_(TEE, Complexity="C9"))
    assert line.errors == [
        FieldError("complexity", "unknown complexity 'C9'; expected one of C1, C2, C3, C4")
    ]


# --- duplicates --------------------------------------------------------------------------------


def test_same_sku_colorway_twice_in_a_file(default_policy: Policy) -> None:
    result = check(default_policy, TEE, with_(TEE, Colorways="Navy| white "))
    assert [line.row for line in result.accepted] == [2]
    (later,) = result.rejected
    assert later.row == 3
    assert later.errors == [
        FieldError("colorways", "SKU TEE-001 colorway 'white' is already requested on row 2")
    ]


def test_same_sku_other_colorway_and_other_sku_same_colorway_are_fine(
    default_policy: Policy,
) -> None:
    result = check(
        default_policy,
        TEE,
        with_(TEE, Colorways="Navy"),
        with_(TEE, SKU="TEE-002"),
    )
    assert [line.row for line in result.accepted] == [2, 3, 4]


def test_sku_colorway_already_open(default_policy: Policy) -> None:
    result = check(default_policy, TEE, open_keys=[("TEE-001", "black")])
    (line,) = result.rejected
    assert line.errors == [
        FieldError("colorways", "SKU TEE-001 colorway 'Black' is already open in this workspace")
    ]


def test_open_keys_of_other_skus_do_not_matter(default_policy: Policy) -> None:
    result = check(default_policy, TEE, open_keys=[("TEE-002", "White")])
    assert len(result.accepted) == 1


# --- every problem at once, rows kept ----------------------------------------------------------


def test_every_problem_of_a_row_is_reported_at_once(default_policy: Policy) -> None:
    row = with_(
        TEE,
        Approval_Owner="",
        Priority="asap",
        Fabric="",
        Views="front|sole",
        Channels="pdp|fax",
        Deadline="soon",
    )
    line = reject(default_policy, row)
    assert sorted(e.field for e in line.errors) == [
        "approval_owner",
        "channels",
        "deadline",
        "fabric",
        "priority",
        "views",
    ]


def test_rejected_line_keeps_its_cells_as_text(default_policy: Policy) -> None:
    line = reject(default_policy, with_(TEE, Priority="asap", Deadline=dt.date(2026, 12, 10)))
    assert line.sku == "TEE-001"
    assert line.fields["priority"] == "asap"
    assert line.fields["deadline"] == "2026-12-10"


def test_row_numbers_are_preserved(default_policy: Policy) -> None:
    rows = [TEE, with_(TEE, SKU="TEE-002", Category="hats"), with_(TEE, SKU="TEE-003")]
    result = validate_intake(table(*rows, numbers=[2, 5, 9]), default_policy, NOW)
    assert result.rows == 3
    assert [line.row for line in result.accepted] == [2, 9]
    assert [line.row for line in result.rejected] == [5]
    assert [line.sku for line in result.accepted] == ["TEE-001", "TEE-003"]


# --- headers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("SKU", "SKU "),
        ("SKU", "Product ID"),
        ("SKU", "product-code"),
        ("SKU", "Style Number"),
        ("Product Name", "  product name "),
        ("Product Name", "Title"),
        ("Colorways", "Colour Ways"),
        ("Colorways", "COLOUR"),
        ("Colorways", "colourways"),
        ("Views", "Shot List"),
        ("Channels", "Destinations"),
        ("Approval Owner", "Approver"),
        ("Production Path", "Path"),
        ("Fabric", "Material"),
        ("Ghost Mannequin", "Ghost Mannequin Required"),
        ("Size Represented", "Sample Size"),
        ("Color Priority", "Colour Accuracy"),
    ],
)
def test_header_aliases_case_and_spaces(default_policy: Policy, old: str, new: str) -> None:
    line = accept(default_policy, renamed(TEE, old, new))
    assert (line.sku, line.colorways, line.views) == (
        "TEE-001",
        ["White", "Black"],
        ["front", "back", "detail"],
    )


def test_deadline_header_alias(default_policy: Policy) -> None:
    line = accept(default_policy, {**TEE, "Due Date": "2026-12-10"})
    assert line.deadline == utc(2026, 12, 11, 4, 59, 59)


def test_unknown_column_is_noted_and_ignored(default_policy: Policy) -> None:
    result = check(default_policy, {**TEE, "Notes": "rush", "": "stray"})
    assert len(result.accepted) == 1
    assert result.notes == ["column 'Notes' is not an intake field and was ignored"]


def test_repeated_column_is_noted_and_ignored(default_policy: Policy) -> None:
    result = check(default_policy, {**TEE, "Colour": "Red"})
    assert result.accepted[0].colorways == ["White", "Black"]
    assert result.notes == ["column 'Colour' repeats field 'colorways' and was ignored"]


# --- expansion into assets ---------------------------------------------------------------------


def test_expansion_is_colorways_times_views_colorway_major(default_policy: Policy) -> None:
    result = check(default_policy, TEE)
    assert result.accepted[0].assets() == [
        AssetSpec("TEE-001", "White", "front"),
        AssetSpec("TEE-001", "White", "back"),
        AssetSpec("TEE-001", "White", "detail"),
        AssetSpec("TEE-001", "Black", "front"),
        AssetSpec("TEE-001", "Black", "back"),
        AssetSpec("TEE-001", "Black", "detail"),
    ]
    assert result.asset_count == 6


def test_asset_count_sums_accepted_lines_only(default_policy: Policy) -> None:
    # TEE 2x3 + RING 1x2; the rejected line adds nothing.
    result = check(default_policy, TEE, RING, with_(TEE, SKU="TEE-404", Priority="asap"))
    assert result.asset_count == 8


def test_repeated_view_in_another_case_is_one_view(default_policy: Policy) -> None:
    # "Front" and "front" are the same view; two asset slots for one view would be a duplicate.
    line = accept(default_policy, with_(TEE, Views="Front|front|BACK"))
    assert line.views == ["front", "back"]
    assert len(line.assets()) == 4


def test_repeated_channel_in_another_case_is_one_channel(default_policy: Policy) -> None:
    line = accept(default_policy, with_(TEE, Channels="PDP|pdp"))
    assert line.channels == ["pdp"]
