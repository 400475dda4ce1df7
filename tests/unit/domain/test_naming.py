"""Naming templates: stored and channel file names, safe values, and parsing names back."""

from __future__ import annotations

import copy
import unicodedata
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shotline.domain.naming import (
    NamingError,
    channel_file_name,
    channel_template,
    conforms,
    gtin14,
    parse_name,
    render_name,
    slug,
    stored_name,
)
from shotline.domain.policy import Policy, parse_policy
from shotline.domain.policy.loader import policy_from_mapping

KEY = {"sku": "AB-100", "colorway": "navy", "view": "front", "version": 3, "ext": "jpeg"}


def _with_naming(data: dict[str, Any], **naming: Any) -> Policy:
    changed = copy.deepcopy(data)
    changed["naming"] |= naming
    return policy_from_mapping(changed)


@pytest.fixture(scope="module")
def policy_data(default_policy_text: str) -> dict[str, Any]:
    import yaml

    data: dict[str, Any] = yaml.safe_load(default_policy_text)
    return data


# render_name and slug


def test_render_name_fills_placeholders_and_formats_numbers() -> None:
    name = render_name("{sku}.PT{index:02}.{ext}", {"sku": "B0ABC", "index": 3, "ext": "jpg"})
    assert name == "B0ABC.PT03.jpg"


def test_values_are_made_safe() -> None:
    fields = {"sku": "../../etc/passwd", "colorway": "Crème Brûlée", "view": "on_model"}
    name = render_name("{sku}_{colorway}_{view}.jpg", fields)
    assert name == "etc-passwd_Creme-Brulee_on-model.jpg"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Navy Blue", "Navy-Blue"),
        ("a/b\\c", "a-b-c"),
        ("v1..2", "v1.2"),
        (".hidden", "hidden"),
        ("tab\there\nnewline\x00nul", "tab-here-newline-nul"),
        ("  spaced  ", "spaced"),
        ("AB_100", "AB-100"),
        (42, "42"),
        ("///", ""),
    ],
)
def test_slug(value: str | int, expected: str) -> None:
    assert slug(value) == expected


def test_a_missing_value_is_named() -> None:
    with pytest.raises(NamingError, match=r"^naming.template: no value for \{colorway\}$"):
        render_name("{sku}_{colorway}.jpg", {"sku": "A1"})


def test_an_empty_value_is_missing() -> None:
    with pytest.raises(NamingError, match=r"no value for \{sku\}"):
        render_name("{sku}.jpg", {"sku": ""}, where="naming.channels.pdp")


def test_a_value_with_nothing_safe_is_refused() -> None:
    with pytest.raises(NamingError, match=r"\{sku\} is '///', which leaves no safe characters"):
        render_name("{sku}.jpg", {"sku": "///"})


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{asin}.jpg", r"unknown placeholder \{asin\}"),
        ("{}.jpg", r"empty placeholder"),
        ("{sku!r}.jpg", r"conversions like !r are not allowed"),
        ("{sku.jpg", r"bad template"),
        ("../{sku}.jpg", r"not a safe file name"),
        ("sub/{sku}.jpg", r"not a safe file name"),
        (".{sku}.jpg", r"not a safe file name"),
        ("con.jpg", r"a name Windows reserves"),
        ("{index:zz}.jpg", r"bad format for \{index\}"),
    ],
)
def test_bad_templates_are_refused(template: str, message: str) -> None:
    with pytest.raises(NamingError, match=message):
        render_name(template, {"sku": "A1", "index": 1})


def test_an_overlong_name_is_refused() -> None:
    with pytest.raises(NamingError, match="longer than 255 bytes"):
        render_name("{sku}.jpg", {"sku": "x" * 300})


@given(st.text(min_size=1, max_size=80))
def test_any_value_gives_a_safe_name_or_a_clear_error(value: str) -> None:
    try:
        name = render_name("{sku}_v{version}.{ext}", {"sku": value, "version": 1, "ext": "jpg"})
    except NamingError as exc:
        assert "sku" in str(exc)
        return
    assert "/" not in name and "\\" not in name and ".." not in name
    assert not name.startswith(".")
    assert all(unicodedata.category(c)[0] != "C" for c in name)
    assert name.count("_") == 1


# stored names and parsing them back


def test_stored_name_uses_the_policy_template(default_policy: Policy) -> None:
    assert stored_name(default_policy, **KEY) == "AB-100_navy_front_v3.jpg"
    assert stored_name(default_policy.naming, **(KEY | {"ext": "TIFF"})) == (
        "AB-100_navy_front_v3.tif"
    )


def test_parse_name_is_the_inverse(default_policy: Policy) -> None:
    parts = parse_name(default_policy, "AB-100_Navy-Blue_on-model_v12.jpg")
    assert parts is not None
    assert (parts.sku, parts.colorway, parts.view, parts.version, parts.ext) == (
        "AB-100",
        "Navy-Blue",
        "on-model",
        12,
        "jpg",
    )


@pytest.mark.parametrize(
    "name",
    [
        "AB-100_navy_front.jpg",  # no version
        "AB-100_navy_front_vX.jpg",
        "AB-100_navy_v1.jpg",  # a part missing
        "AB 100_navy_front_v1.jpg",  # a space is never written
        "AB-100_navy_front_v1",  # no extension
        "_navy_front_v1.jpg",
        "../AB-100_navy_front_v1.jpg",
    ],
)
def test_non_conforming_names(default_policy: Policy, name: str) -> None:
    assert parse_name(default_policy, name) is None
    assert not conforms(default_policy, name)


@given(
    sku=st.text(min_size=1, max_size=20),
    colorway=st.text(min_size=1, max_size=20),
    view=st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True),
    version=st.integers(min_value=1, max_value=10_000),
)
def test_every_stored_name_parses_back_to_its_slugged_parts(
    sku: str, colorway: str, view: str, version: int
) -> None:
    policy = _DEFAULT_NAMING
    try:
        name = stored_name(
            policy, sku=sku, colorway=colorway, view=view, version=version, ext="jpg"
        )
    except NamingError:
        return  # values with no safe characters are refused, tested above
    parts = parse_name(policy, name)
    assert parts is not None, name
    assert (parts.sku, parts.colorway, parts.view, parts.version) == (
        slug(sku),
        slug(colorway),
        slug(view),
        version,
    )


def test_parse_name_with_another_template(default_policy: Policy) -> None:
    parts = parse_name(
        default_policy, "B0ABC.PT03.jpg", template="{asin_or_sku}.PT{index:02}.{ext}"
    )
    assert parts is not None
    assert parts.fields == {"asin_or_sku": "B0ABC", "index": "03", "ext": "jpg"}


# channel names


def _channel(policy: Policy, channel: str, **kw: Any) -> str:
    args: dict[str, Any] = KEY | {"index": 1, "extra": {}} | kw
    return channel_file_name(policy, channel, **args)


def test_amazon_main_is_named_by_asin_else_sku(default_policy: Policy) -> None:
    assert _channel(default_policy, "amazon_main", extra={"asin": "B0CHX1Y2Z3"}) == (
        "B0CHX1Y2Z3.MAIN.jpg"
    )
    assert _channel(default_policy, "amazon_main") == "AB-100.MAIN.jpg"


def test_amazon_secondary_images_are_numbered_pt01_to_pt08(default_policy: Policy) -> None:
    names = [
        _channel(default_policy, "amazon_secondary", index=i, extra={"asin": "B0X"})
        for i in range(1, 9)
    ]
    assert names == [f"B0X.PT0{i}.jpg" for i in range(1, 9)]
    with pytest.raises(NamingError, match=r"amazon_secondary takes at most 8 images .* image 9"):
        _channel(default_policy, "amazon_secondary", index=9)
    with pytest.raises(NamingError, match="index must be 1 or more"):
        _channel(default_policy, "amazon_secondary", index=0)


def test_the_swatch_view_has_its_own_amazon_name(default_policy: Policy) -> None:
    name = _channel(default_policy, "amazon_secondary", view="swatch", index=9)
    assert name == "AB-100.SWCH.jpg"
    assert channel_template(default_policy, "amazon_secondary", "swatch") == (
        "{asin_or_sku}.SWCH.{ext}"
    )


def test_other_channels_use_the_general_template(default_policy: Policy) -> None:
    assert _channel(default_policy, "pdp") == "AB-100_navy_front_v3.jpg"


def test_unknown_channel(default_policy: Policy) -> None:
    with pytest.raises(NamingError, match="unknown channel 'tiktok'; expected one of pdp"):
        _channel(default_policy, "tiktok")


def test_gs1_names(policy_data: dict[str, Any]) -> None:
    policy = _with_naming(
        policy_data, channels={"marketplace_generic": "{gtin}_A{facing}{angle}0.{ext}"}
    )
    front = _channel(policy, "marketplace_generic", extra={"gtin": "036000291452"})
    assert front == "00036000291452_A1C0.jpg"
    back = _channel(policy, "marketplace_generic", view="back", extra={"gtin": "036000291452"})
    assert back == "00036000291452_A7C0.jpg"
    given_codes = _channel(
        policy,
        "marketplace_generic",
        view="detail",
        extra={"gtin": "036000291452", "facing": "2", "angle": "L"},
    )
    assert given_codes == "00036000291452_A2L0.jpg"
    with pytest.raises(
        NamingError, match=r"naming.channels.marketplace_generic: no value for \{gtin\}"
    ):
        _channel(policy, "marketplace_generic")


@pytest.mark.parametrize(
    ("gtin", "message"),
    [("036000291453", "wrong check digit"), ("12345", "not 8, 12, 13 or 14 digits")],
)
def test_bad_gtins(gtin: str, message: str) -> None:
    with pytest.raises(NamingError, match=message):
        gtin14(gtin)


def test_gtin_forms() -> None:
    assert gtin14("4006381333931") == "04006381333931"  # EAN-13
    assert gtin14("96385074") == "00000096385074"  # EAN-8


# policy checks on templates


def test_policy_refuses_unknown_placeholders_and_channels_in_view_templates(
    policy_data: dict[str, Any],
) -> None:
    from shotline.domain.errors import PolicyError

    with pytest.raises(PolicyError) as err:
        _with_naming(policy_data, views={"amazon_secondary": {"swatch": "{asin}.SWCH.jpg"}})
    assert [str(i) for i in err.value.issues] == [
        "naming.views.amazon_secondary.swatch: unknown placeholder {asin}"
    ]
    with pytest.raises(PolicyError) as err:
        _with_naming(policy_data, views={"tiktok": {"front": "{sku}.jpg"}})
    assert [str(i) for i in err.value.issues] == ["naming.views: unknown channel 'tiktok'"]


def _default() -> Policy:
    from importlib.resources import files

    text = files("shotline.policies").joinpath("default.yaml").read_text(encoding="utf-8")
    return parse_policy(text, source="default.yaml")


_DEFAULT_NAMING = _default().naming
