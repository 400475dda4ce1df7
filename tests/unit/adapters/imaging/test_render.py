"""Channel renditions, checked pixel by pixel: size, background, fill, colour space, bytes."""

from __future__ import annotations

import hashlib
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pyexiv2
import pytest
import pyvips

from shotline.adapters.imaging.metadata import (
    SHOTLINE_NS,
    SHOTLINE_PREFIX,
    EmbeddedMetadata,
)
from shotline.adapters.imaging.render import (
    Rendition,
    RenditionError,
    analyse,
    render,
    render_all,
)
from shotline.adapters.imaging.source import ImageRefused, icc_description
from shotline.domain.policy import Channel, Policy, parse_policy

BACKDROP = (236, 236, 236)
PRODUCT = (180, 30, 40)
# The product in the studio master: left, top, width, height.
PRODUCT_BOX = (600, 250, 1100, 1500)
# Per-channel distance from the background above which a pixel counts as product.
TOLERANCE = 24
# One JPEG MCU: blocks this close to the product may ring, blocks further away may not.
MCU = 16
META = EmbeddedMetadata(
    sku="AB-100",
    colorway="navy",
    view="front",
    creator="Ann Lee",
    copyright="© 2026 Brand Co.",
    usage_terms="Web use",
    digital_source_type="assisted",
    ai_workflow="relight@2",
)

Array = np.ndarray[Any, Any]


@pytest.fixture(scope="module")
def policy() -> Policy:
    text = files("shotline.policies").joinpath("default.yaml").read_text(encoding="utf-8")
    return parse_policy(text, source="default.yaml")


def _srgb(array: Array) -> pyvips.Image:
    return pyvips.Image.new_from_array(np.ascontiguousarray(array)).copy(interpretation="srgb")


def _studio_array() -> Array:
    rng = np.random.default_rng(7)
    a = np.empty((2000, 2400, 3), np.uint8)
    a[:] = BACKDROP
    left, top, w, h = PRODUCT_BOX
    a[top : top + h, left : left + w] = PRODUCT
    # A little texture inside the product so the encoder has detail to spend bytes on.
    noise = rng.integers(-6, 7, size=(h, w, 1))
    a[top : top + h, left : left + w] = np.clip(
        a[top : top + h, left : left + w].astype(int) + noise, 0, 255
    )
    return a


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2400x2000 studio master: a red product on a light grey sweep, sRGB-tagged JPEG."""
    path = tmp_path_factory.mktemp("masters") / "studio.jpg"
    _srgb(_studio_array()).jpegsave(str(path), Q=95, profile="srgb")
    return path


def _load(path: Path) -> tuple[pyvips.Image, Array]:
    image = pyvips.Image.new_from_file(str(path))
    return image, image.numpy()


def _product_box(pixels: Array, background: tuple[int, int, int]) -> tuple[int, int, int, int]:
    diff = np.abs(pixels.astype(int) - np.array(background)).max(axis=2)
    rows = np.flatnonzero((diff > TOLERANCE).any(axis=1))
    cols = np.flatnonzero((diff > TOLERANCE).any(axis=0))
    assert rows.size and cols.size, "no product in the rendition"
    return int(cols[0]), int(rows[0]), int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1)


def _hex(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


# every default channel


CHANNELS = [
    "pdp",
    "amazon_main",
    "amazon_secondary",
    "shopify",
    "instagram_feed",
    "instagram_story",
    "marketplace_generic",
]


@pytest.fixture(scope="module")
def renditions(
    studio: Path, policy: Policy, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Rendition]:
    out = tmp_path_factory.mktemp("renditions")
    made = render_all(studio, dict(policy.channels), out, lambda name, _: f"{name}.jpg", META)
    return {r.channel: r for r in made}


def test_every_default_channel_is_rendered(renditions: dict[str, Rendition]) -> None:
    assert sorted(renditions) == sorted(CHANNELS)


@pytest.mark.parametrize("name", CHANNELS)
def test_file_facts(name: str, renditions: dict[str, Rendition], policy: Policy) -> None:
    channel = policy.channels[name]
    result = renditions[name]
    data = result.path.read_bytes()
    image, pixels = _load(result.path)
    assert (result.width, result.height) == (channel.width, channel.height)
    assert (image.width, image.height, image.bands) == (channel.width, channel.height, 3)
    assert pixels.dtype == np.uint8
    assert image.get("vips-loader") == "jpegload"
    assert image.interpretation == "srgb"
    assert result.bytes == len(data) <= channel.max_bytes
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert result.quality == channel.quality
    assert result.path.name == f"{name}.jpg"
    assert result.path.stat().st_mode & 0o777 == 0o644
    # keep: tagged sRGB; strip: untagged (which the web reads as sRGB).
    description = icc_description(image)
    if channel.metadata == "keep":
        assert description is not None and "srgb" in description.lower()
    else:
        assert description is None


FIT_PRODUCT = ["pdp", "amazon_main", "shopify", "marketplace_generic"]


@pytest.mark.parametrize("name", FIT_PRODUCT)
def test_fit_product_leaves_exactly_the_background_outside_the_product(
    name: str, renditions: dict[str, Rendition], policy: Policy
) -> None:
    channel = policy.channels[name]
    assert channel.background is not None
    background = _hex(channel.background)
    _, pixels = _load(renditions[name].path)
    left, top, w, h = _product_box(pixels, background)
    # Every pixel more than one JPEG block away from the product is the background, exactly.
    outside = np.ones(pixels.shape[:2], bool)
    outside[
        max(0, top - MCU) : top + h + MCU,
        max(0, left - MCU) : left + w + MCU,
    ] = False
    assert outside.any()
    assert (pixels[outside] == background).all()


@pytest.mark.parametrize("name", FIT_PRODUCT)
def test_fit_product_fills_the_frame_less_the_margin_centred(
    name: str, renditions: dict[str, Rendition], policy: Policy
) -> None:
    channel = policy.channels[name]
    assert channel.fit == "fit_product" and channel.background is not None
    result = renditions[name]
    _, pixels = _load(result.path)
    left, top, w, h = _product_box(pixels, _hex(channel.background))
    fill = max(w / channel.width, h / channel.height)
    assert fill == pytest.approx(1 - 2 * channel.margin, abs=0.01)
    assert result.fill_ratio == pytest.approx(fill, abs=0.01)
    if channel.min_fill is not None:
        assert fill >= channel.min_fill
    assert left + w / 2 == pytest.approx(channel.width / 2, abs=channel.width * 0.005)
    assert top + h / 2 == pytest.approx(channel.height / 2, abs=channel.height * 0.005)
    # The product keeps its colour through decode, resize and encode.
    centre = pixels[top + h // 2 - 20 : top + h // 2 + 20, left + w // 2 - 20 : left + w // 2 + 20]
    assert np.abs(centre.reshape(-1, 3).mean(axis=0) - PRODUCT).max() < 4


def test_amazon_main_meets_amazons_rules(renditions: dict[str, Rendition]) -> None:
    """Pure white, product at least 85% of the frame, >= 1,600 px longest side, sRGB JPEG."""
    image, pixels = _load(renditions["amazon_main"].path)
    assert max(image.width, image.height) >= 1600
    assert image.get("vips-loader") == "jpegload" and image.interpretation == "srgb"
    _, _, w, h = _product_box(pixels, (255, 255, 255))
    assert max(w / image.width, h / image.height) >= 0.85
    strips = [pixels[:MCU], pixels[-MCU:], pixels[:, :MCU], pixels[:, -MCU:]]
    border = np.concatenate([strip.reshape(-1, 3) for strip in strips])
    assert (border == 255).all()


def test_contain_shows_the_whole_image_with_bands(
    renditions: dict[str, Rendition], policy: Policy
) -> None:
    # 2400x2000 into 2000x2000: 2000x1667 in the middle, white bands of 166 px above and below.
    _, pixels = _load(renditions["amazon_secondary"].path)
    assert (pixels[: 166 - MCU] == 255).all()
    assert (pixels[-(166 - MCU) :] == 255).all()
    middle = pixels[200:1800, :40].reshape(-1, 3).mean(axis=0)
    assert np.abs(middle - BACKDROP).max() < 3  # the master's own backdrop, not padding
    left, _, w, _ = _product_box(pixels[200:1800], BACKDROP)
    assert (left, w) == (pytest.approx(600 * 2000 / 2400, abs=4), pytest.approx(917, abs=4))


@pytest.mark.parametrize("name", ["instagram_feed", "instagram_story"])
def test_cover_fills_the_frame_centred_on_the_product(
    name: str, renditions: dict[str, Rendition], policy: Policy
) -> None:
    channel = policy.channels[name]
    _, pixels = _load(renditions[name].path)
    edges = np.concatenate([pixels[:, :8].reshape(-1, 3), pixels[:, -8:].reshape(-1, 3)])
    # No padding: the frame's edges are the master's backdrop.
    assert np.abs(edges.astype(int) - BACKDROP).max() <= 3
    left, top, w, h = _product_box(pixels, BACKDROP)
    assert left + w / 2 == pytest.approx(channel.width / 2, abs=2)
    assert top + h / 2 == pytest.approx(channel.height / 2, abs=2)


def test_a_product_cut_by_the_frame_stays_cut(policy: Policy, tmp_path: Path) -> None:
    # A model cropped at the knees: the product runs off the bottom of the master.
    master = np.empty((2400, 1800, 3), np.uint8)
    master[:] = BACKDROP
    master[300:, 500:1300] = PRODUCT
    source = tmp_path / "cropped.jpg"
    _srgb(master).jpegsave(str(source), Q=95)
    result = render(source, "pdp", policy.channels["pdp"], tmp_path, "pdp.jpg")
    _, pixels = _load(result.path)
    left, top, w, h = _product_box(pixels, (255, 255, 255))
    assert top + h == 2500  # reaches the bottom edge: no white band under a cut edge
    assert h / 2500 == pytest.approx(0.88, abs=0.01)
    assert left + w / 2 == pytest.approx(1000, abs=10)
    assert (pixels[: 300 - MCU] == 255).all()  # the margin stays above the uncut top


# metadata


@pytest.fixture(scope="module", autouse=True)
def _shotline_namespace() -> None:
    pyexiv2.registerNs(SHOTLINE_NS, SHOTLINE_PREFIX)


def _metadata(path: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    with pyexiv2.Image(str(path)) as image:
        return image.read_xmp(), image.read_exif(), image.read_iptc()


@pytest.fixture(scope="module")
def camera_master(studio: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The studio master with camera EXIF (a GPS position, a serial number) and XMP."""
    path = tmp_path_factory.mktemp("camera") / "camera.jpg"
    path.write_bytes(studio.read_bytes())
    with pyexiv2.Image(str(path)) as image:
        image.modify_exif(
            {"Exif.Image.Artist": "Studio 4", "Exif.Photo.BodySerialNumber": "SN123456"}
        )
        image.modify_exif({"Exif.GPSInfo.GPSLatitude": "40/1 44/1 0/1"})
        image.modify_xmp({"Xmp.dc.description": "internal note"})
    return path


def test_keep_embeds_the_full_record_and_no_camera_data(
    camera_master: Path, policy: Policy, tmp_path: Path
) -> None:
    result = render(camera_master, "pdp", policy.channels["pdp"], tmp_path, "a.jpg", META)
    xmp, exif, iptc = _metadata(result.path)
    assert xmp["Xmp.shotline.Sku"] == "AB-100"
    assert xmp["Xmp.shotline.Colorway"] == "navy"
    assert xmp["Xmp.shotline.View"] == "front"
    assert xmp["Xmp.dc.creator"] == ["Ann Lee"]
    assert xmp["Xmp.dc.rights"] == {'lang="x-default"': "© 2026 Brand Co."}
    assert xmp["Xmp.xmpRights.UsageTerms"] == {'lang="x-default"': "Web use"}
    assert xmp["Xmp.iptcExt.DigitalSourceType"] == (
        "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
    )
    assert xmp["Xmp.shotline.AiWorkflow"] == "relight@2"
    assert "Xmp.dc.description" not in xmp
    assert exif == {} and iptc == {}


def test_strip_keeps_only_rights_and_the_ai_label(
    camera_master: Path, policy: Policy, tmp_path: Path
) -> None:
    channel = policy.channels["instagram_feed"]
    result = render(camera_master, "instagram_feed", channel, tmp_path, "a.jpg", META)
    xmp, exif, iptc = _metadata(result.path)
    assert set(xmp) == {
        "Xmp.dc.rights",
        "Xmp.xmpRights.Marked",
        "Xmp.iptcExt.DigitalSourceType",
        "Xmp.iptcExt.AISystemUsed",
        "Xmp.iptcExt.AISystemVersionUsed",
        "Xmp.shotline.AiWorkflow",
    }
    assert exif == {} and iptc == {}
    assert icc_description(pyvips.Image.new_from_file(str(result.path))) is None


def test_without_metadata_nothing_is_embedded(
    camera_master: Path, policy: Policy, tmp_path: Path
) -> None:
    result = render(camera_master, "pdp", policy.channels["pdp"], tmp_path, "a.jpg")
    assert _metadata(result.path) == ({}, {}, {})


def test_a_stripped_photograph_carries_no_xmp(studio: Path, policy: Policy, tmp_path: Path) -> None:
    photo = EmbeddedMetadata(sku="A", colorway="b", view="front", creator="Ann")
    channel = policy.channels["instagram_story"]
    result = render(studio, "instagram_story", channel, tmp_path, "a.jpg", photo)
    assert _metadata(result.path)[0] == {}


# colour, alpha and orientation


def test_colour_is_converted_to_srgb_through_the_embedded_profile(
    policy: Policy, tmp_path: Path
) -> None:
    srgb = _srgb(_studio_array())
    p3 = srgb.icc_transform("p3", input_profile="srgb", intent="relative")
    source = tmp_path / "p3.jpg"
    p3.jpegsave(str(source), Q=95, keep="icc")
    encoded = p3.numpy()[1000, 1150]
    assert np.abs(encoded.astype(int) - PRODUCT).max() > 10  # the test would see a no-op
    result = render(source, "pdp", policy.channels["pdp"], tmp_path, "pdp.jpg")
    _, pixels = _load(result.path)
    left, top, w, h = _product_box(pixels, (255, 255, 255))
    centre = pixels[top + h // 2 - 20 : top + h // 2 + 20, left + w // 2 - 20 : left + w // 2 + 20]
    assert np.abs(centre.reshape(-1, 3).mean(axis=0) - PRODUCT).max() < 4


def test_transparency_is_flattened_onto_the_channel_background(
    policy: Policy, tmp_path: Path
) -> None:
    rgba = np.zeros((1600, 1200, 4), np.uint8)
    rgba[300:1300, 200:1000] = (20, 60, 200, 255)
    source = tmp_path / "cutout.png"
    image = pyvips.Image.new_from_array(rgba).copy(interpretation="srgb")
    image.pngsave(str(source))
    result = render(source, "pdp", policy.channels["pdp"], tmp_path, "pdp.jpg")
    _, pixels = _load(result.path)
    left, top, w, h = _product_box(pixels, (255, 255, 255))
    assert max(w / 2000, h / 2500) == pytest.approx(0.88, abs=0.01)
    assert (pixels[:MCU] == 255).all() and (pixels[:, :MCU] == 255).all()
    centre = pixels[top + h // 2, left + w // 2]
    assert np.abs(centre.astype(int) - (20, 60, 200)).max() < 4


def test_a_heic_capture_is_decoded_once_for_every_channel(policy: Policy, tmp_path: Path) -> None:
    import pillow_heif

    array = np.empty((1200, 1000, 3), np.uint8)
    array[:] = BACKDROP
    array[200:1000, 200:800] = PRODUCT
    source = tmp_path / "capture.heic"
    heif = pillow_heif.from_bytes(mode="RGB", size=(1000, 1200), data=array.tobytes())
    heif.save(str(source), quality=92)
    analysis = analyse(source)
    assert analysis.decoded is not None and analysis.decoded[1] == "heic"
    channels = {name: policy.channels[name] for name in ("pdp", "instagram_feed")}
    made = render_all(source, channels, tmp_path, lambda name, _: f"{name}.jpg")
    pdp = next(r for r in made if r.channel == "pdp")
    _, pixels = _load(pdp.path)
    _, _, w, h = _product_box(pixels, (255, 255, 255))
    assert max(w / 2000, h / 2500) == pytest.approx(0.88, abs=0.01)
    assert (pixels[:MCU] == 255).all()


def test_exif_orientation_is_applied(policy: Policy, tmp_path: Path) -> None:
    # Stored landscape 2000x1250 with the product on the left; orientation 6 shows it
    # portrait (1250x2000) with the product at the top.
    stored = np.empty((1250, 2000, 3), np.uint8)
    stored[:] = BACKDROP
    stored[300:950, 100:700] = PRODUCT
    image = _srgb(stored).copy()
    image.set_type(pyvips.GValue.gint_type, "orientation", 6)
    source = tmp_path / "rotated.jpg"
    image.jpegsave(str(source), Q=95, keep="exif")
    assert analyse(source).width == 1250
    channel = policy.channels["amazon_secondary"]
    result = render(source, "amazon_secondary", channel, tmp_path, "a.jpg")
    _, pixels = _load(result.path)
    # Upright 1250x2000 fills the height: white bands left and right, not above and below.
    assert (pixels[:, : 375 - MCU] == 255).all()
    assert (pixels[: 375 - MCU, 400:1600] != 255).any()
    _, top, _, h = _product_box(pixels[:, 400:1600], BACKDROP)
    assert top + h / 2 < 1000  # the product is in the upper half


# file size


@pytest.fixture(scope="module")
def noisy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A master that compresses badly: noise everywhere."""
    rng = np.random.default_rng(1)
    array = rng.integers(0, 256, size=(1200, 1000, 3), dtype=np.uint8)
    path = tmp_path_factory.mktemp("noisy") / "noisy.jpg"
    _srgb(array).jpegsave(str(path), Q=95)
    return path


def _spec(policy: Policy, **update: Any) -> Channel:
    return policy.channels["instagram_feed"].model_copy(update=update)


def test_max_bytes_is_met_by_lowering_quality(noisy: Path, policy: Policy, tmp_path: Path) -> None:
    roomy = render(noisy, "feed", _spec(policy, max_bytes=10**9), tmp_path / "a", "a.jpg")
    assert roomy.quality == 90
    limit = int(roomy.bytes * 0.7)
    tight = render(noisy, "feed", _spec(policy, max_bytes=limit), tmp_path / "b", "b.jpg")
    assert tight.bytes <= limit < roomy.bytes
    assert tight.quality is not None and 75 <= tight.quality < 90
    image = pyvips.Image.new_from_file(str(tight.path))
    assert (tight.width, tight.height) == (image.width, image.height) == (1080, 1350)
    # The highest quality that fits: one step up would not.
    above = tight.quality + 1
    with pytest.raises(RenditionError, match="still over max_bytes"):
        spec = _spec(policy, max_bytes=limit, quality=above, min_quality=above)
        render(noisy, "feed", spec, tmp_path / "c", "c.jpg")


def test_max_bytes_below_min_quality_is_refused_and_writes_nothing(
    noisy: Path, policy: Policy, tmp_path: Path
) -> None:
    with pytest.raises(RenditionError, match=r"at min_quality 75, still over max_bytes 1,000$"):
        render(noisy, "feed", _spec(policy, max_bytes=1000), tmp_path, "a.jpg")
    assert list(tmp_path.iterdir()) == []


# other formats


@pytest.mark.parametrize(
    ("fmt", "file_name", "loader", "quality"),
    [
        ("png", "a.png", "pngload", None),
        ("webp", "a.webp", "webpload", 88),
        ("tiff", "a.tif", "tiffload", None),
    ],
)
def test_other_formats(
    studio: Path,
    policy: Policy,
    tmp_path: Path,
    fmt: str,
    file_name: str,
    loader: str,
    quality: int | None,
) -> None:
    channel = policy.channels["marketplace_generic"].model_copy(update={"format": fmt})
    result = render(studio, "custom", channel, tmp_path, file_name, META)
    image, pixels = _load(result.path)
    assert image.get("vips-loader") == loader
    assert (image.width, image.height, image.bands) == (1600, 1600, 3)
    assert result.quality == quality
    assert (pixels[:MCU] == 255).all()
    assert icc_description(image) is not None
    xmp, _, _ = _metadata(result.path)
    assert xmp["Xmp.shotline.Sku"] == "AB-100"


def test_a_lossless_file_over_max_bytes_is_refused(
    studio: Path, policy: Policy, tmp_path: Path
) -> None:
    channel = policy.channels["marketplace_generic"].model_copy(
        update={"format": "png", "max_bytes": 5000}
    )
    with pytest.raises(RenditionError, match="a lossless format has no quality to lower"):
        render(studio, "custom", channel, tmp_path, "a.png")
    assert list(tmp_path.iterdir()) == []


# refusals


def test_a_missing_file(policy: Policy, tmp_path: Path) -> None:
    with pytest.raises(ImageRefused, match=r"^nope.jpg: file not found$"):
        render(tmp_path / "nope.jpg", "pdp", policy.channels["pdp"], tmp_path, "a.jpg")


def test_not_an_image(policy: Policy, tmp_path: Path) -> None:
    source = tmp_path / "notes.jpg"
    source.write_text("not a picture")
    with pytest.raises(ImageRefused, match="not an image Shotline accepts"):
        render(source, "pdp", policy.channels["pdp"], tmp_path / "out", "a.jpg")
    assert not (tmp_path / "out").exists()


def test_a_truncated_image(studio: Path, policy: Policy, tmp_path: Path) -> None:
    source = tmp_path / "cut.jpg"
    source.write_bytes(studio.read_bytes()[:30_000])
    with pytest.raises(ImageRefused, match=r"^cut.jpg: the image data is truncated or corrupt"):
        render(source, "pdp", policy.channels["pdp"], tmp_path / "out", "a.jpg")
    assert not (tmp_path / "out").exists()


def test_a_decompression_bomb(studio: Path, policy: Policy, tmp_path: Path) -> None:
    with pytest.raises(ImageRefused, match="4,800,000 pixels, over the limit of 1,000,000"):
        render(studio, "pdp", policy.channels["pdp"], tmp_path, "a.jpg", max_pixels=1_000_000)


@pytest.mark.parametrize(
    ("file_name", "message"),
    [
        ("../a.jpg", "not a safe file name"),
        ("sub/a.jpg", "not a safe file name"),
        (".a.jpg", "not a safe file name"),
        ("a.png", "channel pdp makes jpeg files; expected a name ending .jpg or .jpeg"),
    ],
)
def test_bad_file_names(
    studio: Path, policy: Policy, tmp_path: Path, file_name: str, message: str
) -> None:
    with pytest.raises(RenditionError, match=message):
        render(studio, "pdp", policy.channels["pdp"], tmp_path, file_name)


def test_only_srgb_is_made(studio: Path, policy: Policy, tmp_path: Path) -> None:
    channel = policy.channels["pdp"].model_copy(update={"color_space": "AdobeRGB"})
    with pytest.raises(RenditionError, match="only sRGB renditions are made, not AdobeRGB"):
        render(studio, "pdp", channel, tmp_path, "a.jpg")


def test_a_master_too_small_for_amazon_is_refused(policy: Policy, tmp_path: Path) -> None:
    small = np.empty((900, 800, 3), np.uint8)
    small[:] = 255
    small[100:800, 150:650] = PRODUCT
    source = tmp_path / "small.jpg"
    _srgb(small).jpegsave(str(source))
    with pytest.raises(RenditionError, match=r"amazon_main: the source has \d+ px where the"):
        render(source, "amazon_main", policy.channels["amazon_main"], tmp_path, "a.jpg")


def test_a_blank_image_has_no_product_and_is_contained(policy: Policy, tmp_path: Path) -> None:
    source = tmp_path / "blank.jpg"
    _srgb(np.full((1000, 800, 3), 128, np.uint8)).jpegsave(str(source))
    assert analyse(source).box is None
    result = render(source, "pdp", policy.channels["pdp"], tmp_path, "a.jpg")
    assert result.fill_ratio is None
    _, pixels = _load(result.path)
    assert (pixels[:MCU] == 255).all()
    assert np.abs(pixels[1250, 1000].astype(int) - 128).max() <= 2
