"""Loading policies: the default policy is complete, and a broken policy names every problem."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from shotline.domain.errors import PolicyError
from shotline.domain.policy import Policy, parse_policy, policy_from_mapping


def issues_of(data: Any) -> list[str]:
    """Every issue `policy_from_mapping` reports for `data`, as `path: message` strings."""
    with pytest.raises(PolicyError) as caught:
        policy_from_mapping(data)
    return [str(issue) for issue in caught.value.issues]


# --- the default policy ------------------------------------------------------------------------


def test_default_policy_loads(default_policy: Policy) -> None:
    assert default_policy.name == "default"
    assert default_policy.version == 1


def test_default_policy_round_trips_through_policy_from_mapping(
    policy_data: dict[str, Any],
) -> None:
    assert policy_from_mapping(policy_data).name == "default"


@pytest.mark.parametrize(
    ("category", "shot_list"),
    [
        ("apparel", ("front", "back", "side", "detail", "texture", "on_model", "ghost")),
        ("shoes", ("side", "top", "pair", "sole", "material", "on_foot")),
        ("bags", ("front", "side", "interior", "strap", "scale", "hardware")),
        ("jewelry", ("main", "macro", "detail", "scale", "on_model", "hero")),
    ],
)
def test_default_category_shot_lists(
    default_policy: Policy, category: str, shot_list: tuple[str, ...]
) -> None:
    assert default_policy.categories[category].shot_list == shot_list


def test_default_categories_are_exactly_the_four(default_policy: Policy) -> None:
    assert list(default_policy.categories) == ["apparel", "shoes", "bags", "jewelry"]


def test_default_category_required_fields(default_policy: Policy) -> None:
    assert default_policy.categories["apparel"].required_fields == (
        "size_represented",
        "ghost_mannequin",
        "fabric",
        "color_priority",
    )
    assert default_policy.categories["jewelry"].required_fields == (
        "metal_type",
        "stone_type",
        "reflection_rules",
    )


def test_default_roles(default_policy: Policy) -> None:
    assert set(default_policy.roles) == {
        "admin",
        "creative_ops_manager",
        "producer",
        "merchandiser",
        "creative_director",
        "studio_manager",
        "photographer",
        "retouching_lead",
        "retoucher",
        "qc_lead",
        "dam_manager",
        "ai_workflow_owner",
        "ai_operator",
    }
    assert len(default_policy.roles) == 13


def test_default_tracks(default_policy: Policy) -> None:
    assert set(default_policy.tracks) == {
        "hero",
        "catalog",
        "high_complexity",
        "ai_generated",
        "ai_experimental",
        "marketplace",
    }
    assert default_policy.tracks["ai_experimental"].can_deliver is False
    assert default_policy.tracks["marketplace"].gates == ("technical", "final_qc")


def test_default_track_sla_hours(default_policy: Policy) -> None:
    assert default_policy.sla_hours("catalog", "C1") == 16.0
    assert default_policy.sla_hours("high_complexity", "C3") == 56.0
    assert default_policy.sla_hours("marketplace", "C4") == 40.0


def test_default_gates_in_order(default_policy: Policy) -> None:
    assert list(default_policy.gates) == ["technical", "styling_fit", "brand_merch", "final_qc"]
    assert default_policy.gates["final_qc"].decided_by == ("qc_lead",)


def test_default_defect_codes(default_policy: Policy) -> None:
    assert set(default_policy.defects) == {
        "missing_brief_detail",
        "incorrect_angle",
        "wrong_crop",
        "color_mismatch",
        "over_retouching",
        "ai_artifact",
        "product_detail_error",
        "fit_distortion",
        "file_naming",
        "wrong_version",
        "focus",
        "exposure",
        "white_balance",
        "background",
        "resolution",
        "anatomy_error",
        "garment_deformation",
        "detail_hallucination",
        "lighting_inconsistency",
        "texture_loss",
        "jewelry_reflection",
        "skin_hair_artifact",
        "off_brand_styling",
    }


def test_default_channels(default_policy: Policy) -> None:
    channels = default_policy.channels
    assert set(channels) == {
        "pdp",
        "amazon_main",
        "amazon_secondary",
        "shopify",
        "instagram_feed",
        "instagram_story",
        "marketplace_generic",
    }
    feed, story = channels["instagram_feed"], channels["instagram_story"]
    assert (feed.width, feed.height, feed.aspect) == (1080, 1350, "4:5")
    assert (story.width, story.height, story.aspect) == (1080, 1920, "9:16")
    assert channels["amazon_main"].min_fill == 0.85


def test_default_calendar(default_policy: Policy) -> None:
    calendar = default_policy.calendar
    assert calendar.timezone == "America/New_York"
    assert calendar.working_days == ("mon", "tue", "wed", "thu", "fri")
    assert (calendar.hours.start, calendar.hours.end) == (dt.time(9), dt.time(18))
    assert dt.date(2026, 11, 26) in calendar.holidays


def test_unquoted_clock_time_is_read_as_a_time(default_policy_text: str) -> None:
    # YAML 1.1 reads an unquoted 18:00 as the sexagesimal integer 1080 (= 18 * 60).
    text = default_policy_text.replace('end: "18:00"', "end: 18:00")
    assert text != default_policy_text
    assert parse_policy(text).calendar.hours.end == dt.time(18, 0)


# --- shape errors ------------------------------------------------------------------------------


def test_bad_sla_hours_names_the_path_and_value(policy_data: dict[str, Any]) -> None:
    policy_data["tracks"]["catalog"]["sla"]["C3"] = "soon"
    with pytest.raises(PolicyError) as caught:
        policy_from_mapping(policy_data)
    assert 'tracks.catalog.sla.C3: expected hours, got "soon"' in str(caught.value)


def test_every_shape_error_is_reported_at_once(policy_data: dict[str, Any]) -> None:
    policy_data["tracks"]["catalog"]["sla"]["C3"] = "soon"
    policy_data["tracks"]["hero"]["sla"]["C1"] = 0
    policy_data["channels"]["pdp"]["background"] = "white"
    policy_data["channels"]["shopify"]["aspect"] = "square"
    policy_data["calendar"]["hours"]["start"] = "nine"
    del policy_data["gates"]["final_qc"]["decided_by"]
    assert sorted(issues_of(policy_data)) == sorted(
        [
            'tracks.catalog.sla.C3: expected hours, got "soon"',
            "tracks.hero.sla.C1: expected a positive number of hours, got 0",
            'channels.pdp.background: expected a colour like #FFFFFF, got "white"',
            'channels.shopify.aspect: expected an aspect like 4:5, got "square"',
            'calendar.hours.start: expected a time like 09:00, got "nine"',
            "gates.final_qc.decided_by: required",
        ]
    )


def test_error_message_counts_problems_and_names_source(policy_data: dict[str, Any]) -> None:
    policy_data["tracks"]["catalog"]["sla"]["C3"] = "soon"
    policy_data["tracks"]["catalog"]["sla"]["C4"] = "later"
    with pytest.raises(PolicyError) as caught:
        policy_from_mapping(policy_data, source="brand.yaml")
    assert str(caught.value) == (
        "brand.yaml has 2 problem(s):\n"
        '  tracks.catalog.sla.C3: expected hours, got "soon"\n'
        '  tracks.catalog.sla.C4: expected hours, got "later"'
    )


def test_missing_sla_class(policy_data: dict[str, Any]) -> None:
    del policy_data["tracks"]["hero"]["sla"]["C4"]
    assert issues_of(policy_data) == ["tracks.hero.sla: missing SLA hours for C4"]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda d: d.__setitem__("colour_rules", {}),
            "colour_rules: unknown key (not part of the policy format)",
        ),
        (
            lambda d: d["tracks"]["catalog"].__setitem__("sla_hours", 3),
            "tracks.catalog.sla_hours: unknown key (not part of the policy format)",
        ),
        (
            lambda d: d["channels"]["pdp"].__setitem__("dpi", 300),
            "channels.pdp.dpi: unknown key (not part of the policy format)",
        ),
        (
            lambda d: d["routing"][0].__setitem__("then", "hero"),
            "routing[0].then: unknown key (not part of the policy format)",
        ),
    ],
)
def test_unknown_keys_are_errors(policy_data: dict[str, Any], mutate: Any, expected: str) -> None:
    mutate(policy_data)
    assert issues_of(policy_data) == [expected]


def test_bad_code_name(policy_data: dict[str, Any]) -> None:
    policy_data["categories"]["apparel"]["shot_list"].append("Top View")
    assert issues_of(policy_data) == [
        "categories.apparel.shot_list[7]: expected a lower-case code (letters, digits, _), "
        'got "Top View"'
    ]


def test_top_level_must_be_a_mapping() -> None:
    assert issues_of(["name", "default"]) == ["a policy must be a mapping at the top level"]


@pytest.mark.parametrize("text", ["", "- a\n- b\n"])
def test_parse_policy_rejects_non_mapping_text(text: str) -> None:
    with pytest.raises(PolicyError, match="a policy must be a mapping at the top level"):
        parse_policy(text)


# --- YAML syntax errors ------------------------------------------------------------------------


def test_yaml_syntax_error_names_line_and_column(default_policy_text: str) -> None:
    lines = default_policy_text.splitlines()
    lines.insert(5, "oops: a: b")  # becomes line 6; the second ':' is at column 8
    with pytest.raises(PolicyError) as caught:
        parse_policy("\n".join(lines))
    assert [str(i) for i in caught.value.issues] == [
        "YAML syntax error at line 6, column 8: mapping values are not allowed here"
    ]


def test_yaml_unclosed_flow_sequence() -> None:
    with pytest.raises(PolicyError) as caught:
        parse_policy("name: x\nroles: [admin\n")
    assert "YAML syntax error at line 3, column 1" in str(caught.value)


# --- cross-reference errors --------------------------------------------------------------------


def test_routing_to_unknown_track(policy_data: dict[str, Any]) -> None:
    policy_data["routing"][2]["track"] = "campaign"
    assert issues_of(policy_data) == ["routing[2].track: unknown track 'campaign'"]


def test_routing_condition_on_unknown_field(policy_data: dict[str, Any]) -> None:
    policy_data["routing"][0]["when"] = {"season": "spring"}
    assert issues_of(policy_data) == ["routing[0].when: unknown field 'season'"]


def test_last_routing_rule_must_be_a_default(policy_data: dict[str, Any]) -> None:
    policy_data["routing"].pop()
    assert issues_of(policy_data) == ["routing: the last rule must have no conditions (a default)"]


def test_gate_decided_by_unknown_role(policy_data: dict[str, Any]) -> None:
    policy_data["gates"]["technical"]["decided_by"] = ["qc_lead", "intern"]
    assert issues_of(policy_data) == ["gates.technical.decided_by: unknown role 'intern'"]


def test_defect_in_unknown_gate(policy_data: dict[str, Any]) -> None:
    policy_data["defects"]["focus"]["gates"] = ["technical", "lighting"]
    assert issues_of(policy_data) == ["defects.focus.gates: unknown gate 'lighting'"]


def test_gate_on_fail_names_unknown_defect(policy_data: dict[str, Any]) -> None:
    policy_data["gates"]["final_qc"]["on_fail"]["by_defect"] = {"blurry": "reshoot"}
    assert issues_of(policy_data) == ["gates.final_qc.on_fail.by_defect: unknown defect 'blurry'"]


def test_aspect_must_match_width_and_height(policy_data: dict[str, Any]) -> None:
    policy_data["channels"]["instagram_story"]["aspect"] = "4:5"
    assert issues_of(policy_data) == ["channels.instagram_story.aspect: 1080x1920 is not 4:5"]


def test_aspect_with_zero_height_is_a_policy_error_not_a_crash(
    policy_data: dict[str, Any],
) -> None:
    # "4:0" passes the \d+:\d+ shape check; the cross-check must report it, not divide by zero.
    policy_data["channels"]["pdp"]["aspect"] = "4:0"
    issues = issues_of(policy_data)
    assert len(issues) == 1
    assert issues[0].startswith("channels.pdp.aspect: ")


def test_track_without_final_qc(policy_data: dict[str, Any]) -> None:
    policy_data["tracks"]["marketplace"]["gates"] = ["technical"]
    assert issues_of(policy_data) == ["tracks.marketplace.gates: every track ends with final_qc"]


def test_track_gates_out_of_order(policy_data: dict[str, Any]) -> None:
    policy_data["tracks"]["hero"]["gates"] = ["styling_fit", "technical", "brand_merch", "final_qc"]
    assert issues_of(policy_data) == [
        "tracks.hero.gates: gates must follow technical, styling_fit, brand_merch, final_qc"
    ]


def test_track_gate_listed_twice(policy_data: dict[str, Any]) -> None:
    policy_data["tracks"]["marketplace"]["gates"] = ["technical", "technical", "final_qc"]
    assert issues_of(policy_data) == [
        "tracks.marketplace.gates: gates must follow technical, styling_fit, brand_merch, final_qc"
    ]


def test_track_owner_must_be_a_role(policy_data: dict[str, Any]) -> None:
    policy_data["tracks"]["catalog"]["owner_role"] = "boss"
    assert issues_of(policy_data) == ["tracks.catalog.owner_role: unknown role 'boss'"]


def test_unknown_timezone(policy_data: dict[str, Any]) -> None:
    policy_data["calendar"]["timezone"] = "Mars/Olympus_Mons"
    assert issues_of(policy_data) == ["calendar.timezone: unknown timezone 'Mars/Olympus_Mons'"]


def test_calendar_hours_must_open_before_closing(policy_data: dict[str, Any]) -> None:
    policy_data["calendar"]["hours"] = {"start": "18:00", "end": "09:00"}
    assert issues_of(policy_data) == ["calendar.hours: start must be before end"]


def test_naming_template_with_unknown_placeholder(policy_data: dict[str, Any]) -> None:
    policy_data["naming"]["template"] = "{sku}_{color}_{view}.{ext}"
    assert issues_of(policy_data) == ["naming.template: unknown placeholder {color}"]


def test_naming_template_with_bad_brace(policy_data: dict[str, Any]) -> None:
    policy_data["naming"]["template"] = "{sku_{view}.{ext}"
    issues = issues_of(policy_data)
    assert len(issues) == 1
    assert issues[0].startswith("naming.template: bad template: ")


def test_naming_template_with_empty_placeholder(policy_data: dict[str, Any]) -> None:
    # "{}" is a positional placeholder no file name can fill; rendering it would fail later.
    policy_data["naming"]["template"] = "{sku}_{}.{ext}"
    issues = issues_of(policy_data)
    assert len(issues) == 1
    assert issues[0].startswith("naming.template: ")


def test_naming_for_unknown_channel(policy_data: dict[str, Any]) -> None:
    policy_data["naming"]["channels"]["tiktok"] = "{sku}.{ext}"
    assert issues_of(policy_data) == ["naming.channels: unknown channel 'tiktok'"]


def test_category_needs_defined_fields(policy_data: dict[str, Any]) -> None:
    policy_data["categories"]["shoes"]["required_fields"] = ["heel_height"]
    assert issues_of(policy_data) == [
        "categories.shoes.required_fields: unknown field 'heel_height'"
    ]


def test_every_cross_reference_error_is_reported_at_once(policy_data: dict[str, Any]) -> None:
    policy_data["routing"][2]["track"] = "campaign"
    policy_data["gates"]["technical"]["decided_by"] = ["intern"]
    policy_data["defects"]["focus"]["gates"] = ["lighting"]
    policy_data["channels"]["pdp"]["aspect"] = "1:1"
    policy_data["tracks"]["marketplace"]["gates"] = ["technical"]
    policy_data["tracks"]["hero"]["gates"] = ["final_qc", "technical"]
    policy_data["calendar"]["timezone"] = "Mars/Olympus_Mons"
    policy_data["naming"]["template"] = "{sku}_{color}.{ext}"
    assert sorted(issues_of(policy_data)) == sorted(
        [
            "routing[2].track: unknown track 'campaign'",
            "gates.technical.decided_by: unknown role 'intern'",
            "defects.focus.gates: unknown gate 'lighting'",
            "channels.pdp.aspect: 2000x2500 is not 1:1",
            "tracks.marketplace.gates: every track ends with final_qc",
            "tracks.hero.gates: gates must follow technical, styling_fit, brand_merch, final_qc",
            "calendar.timezone: unknown timezone 'Mars/Olympus_Mons'",
            "naming.template: unknown placeholder {color}",
        ]
    )


def test_a_key_given_twice_is_an_error_with_its_line(default_policy_text: str) -> None:
    text = default_policy_text.replace("name: default\n", "name: default\nname: again\n", 1)
    with pytest.raises(PolicyError, match=r"line 5, column 1: key 'name' is given twice"):
        parse_policy(text)


def test_an_impossible_holiday_is_an_error_not_a_crash(default_policy_text: str) -> None:
    text = default_policy_text.replace("- 2027-02-15", "- 2027-02-30", 1)
    with pytest.raises(PolicyError, match="bad value"):
        parse_policy(text)


def test_only_priority_and_production_path_take_defaults(policy_data: dict[str, Any]) -> None:
    policy_data["intake"]["defaults"] = {"category": "apparel"}
    with pytest.raises(PolicyError, match=r"intake.defaults: unknown defaultable field 'category'"):
        policy_from_mapping(policy_data)
