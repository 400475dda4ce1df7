"""`shotline render IMAGE --channel NAME --out DIR`, end to end, with no database."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyexiv2
import pytest
import pyvips
from typer.testing import CliRunner, Result

from shotline.adapters.imaging.metadata import SHOTLINE_NS, SHOTLINE_PREFIX
from shotline.entrypoints.cli.main import app
from shotline.services.policies import default_policy_text


class Shotline:
    """The CLI with a home whose database must never be created by `render`."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.database = home / "shotline.db"

    def __call__(self, *args: str) -> Result:
        env = {
            "SHOTLINE_HOME": str(self.home),
            "SHOTLINE_DATABASE_URL": f"sqlite:///{self.database}",
            "COLUMNS": "200",
        }
        result = CliRunner().invoke(app, list(args), env=env)
        assert not self.database.exists(), "render must not touch the database"
        return result

    def ok(self, *args: str) -> Result:
        result = self(*args)
        assert result.exception is None, (result.exception, result.output)
        assert result.exit_code == 0, result.output
        return result

    def fail(self, *args: str, code: int = 1) -> str:
        result = self(*args)
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        assert result.stdout == ""
        return result.stderr


@pytest.fixture
def shotline(tmp_path: Path) -> Shotline:
    return Shotline(tmp_path / "home")


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    array = np.full((2000, 2000, 3), 240, np.uint8)
    array[200:1800, 500:1500] = (30, 90, 160)
    path = tmp_path_factory.mktemp("cli") / "Summer Shoot 01.jpg"
    pyvips.Image.new_from_array(array).copy(interpretation="srgb").jpegsave(str(path), Q=92)
    return path


def test_render_prints_what_it_made(shotline: Shotline, master: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = shotline.ok("render", str(master), "--channel", "amazon_main", "--out", str(out))
    path = out / "Summer-Shoot-01_amazon_main.jpg"
    assert result.stdout.strip() == (
        f"amazon_main: {path} 2000x2000, {path.stat().st_size:,} bytes, quality 92, "
        "product fills 92%"
    )
    image = pyvips.Image.new_from_file(str(path))
    assert (image.width, image.height) == (2000, 2000)
    assert [p.name for p in out.iterdir()] == [path.name]


def test_render_json_names_and_tags_the_file(
    shotline: Shotline, master: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = shotline.ok(
        "render",
        str(master),
        "--channel",
        "amazon_secondary",
        "--out",
        str(out),
        "--json",
        "--sku",
        "AB-100",
        "--colorway",
        "navy",
        "--view",
        "back",
        "--index",
        "3",
        "--asin",
        "B0CHX1Y2Z3",
        "--copyright",
        "© Brand",
        "--ai",
        "generated",
        "--ai-workflow",
        "flatlay@4",
    )
    data = json.loads(result.stdout)
    assert data["path"] == str(out / "B0CHX1Y2Z3.PT03.jpg")
    assert data["channel"] == "amazon_secondary"
    assert (data["width"], data["height"], data["quality"]) == (2000, 2000, 90)
    assert data["bytes"] == (out / "B0CHX1Y2Z3.PT03.jpg").stat().st_size
    assert len(data["sha256"]) == 64 and 0 < data["fill_ratio"] <= 1
    pyexiv2.registerNs(SHOTLINE_NS, SHOTLINE_PREFIX)
    with pyexiv2.Image(data["path"]) as image:
        xmp = image.read_xmp()
    assert xmp["Xmp.shotline.Sku"] == "AB-100"
    assert xmp["Xmp.shotline.View"] == "back"
    assert xmp["Xmp.iptcExt.DigitalSourceType"].endswith("/trainedAlgorithmicMedia")
    assert xmp["Xmp.shotline.AiWorkflow"] == "flatlay@4"


def test_render_with_a_policy_file(shotline: Shotline, master: Path, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    text = default_policy_text()
    original = 'amazon_main: "{asin_or_sku}.MAIN.{ext}"'
    assert original in text
    policy.write_text(text.replace(original, 'amazon_main: "{sku}-{colorway}.MAIN.{ext}"'))
    out = tmp_path / "out"
    shotline.ok(
        "render",
        str(master),
        "-c",
        "amazon_main",
        "-o",
        str(out),
        "--policy",
        str(policy),
        "--sku",
        "AB-100",
        "--colorway",
        "navy",
        "--view",
        "front",
    )
    assert (out / "AB-100-navy.MAIN.jpg").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--channel", "tiktok"],
            "error: unknown channel 'tiktok'; expected one of pdp, amazon_main, amazon_secondary, "
            "shopify, instagram_feed, instagram_story, marketplace_generic",
        ),
        (
            ["--channel", "pdp", "--sku", "AB-100", "--copyright", "x"],
            "error: --sku, --copyright need --colorway, --view as well (the file is named and "
            "tagged by SKU, colorway and view)",
        ),
        (
            ["--channel", "pdp", "--sku", "A", "--colorway", "b", "--view", "c", "--ai", "ml"],
            "error: digital source type 'ml': expected one of generated, assisted or their "
            "IPTC URIs",
        ),
        (
            [
                "-c",
                "amazon_secondary",
                "--sku",
                "A",
                "--colorway",
                "b",
                "--view",
                "c",
                "--index",
                "9",
            ],
            "error: channel amazon_secondary takes at most 8 images per SKU and colorway; this "
            "is image 9",
        ),
    ],
)
def test_clear_errors(
    shotline: Shotline, master: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    stderr = shotline.fail("render", str(master), "--out", str(out), *args)
    assert stderr.strip() == message
    assert not out.exists()


def test_unreadable_images(shotline: Shotline, tmp_path: Path, master: Path) -> None:
    out = tmp_path / "out"
    missing = shotline.fail("render", str(tmp_path / "gone.jpg"), "-c", "pdp", "-o", str(out))
    assert missing.strip() == "error: gone.jpg: file not found"
    text = tmp_path / "notes.jpg"
    text.write_text("hello")
    refused = shotline.fail("render", str(text), "-c", "pdp", "-o", str(out))
    assert refused.strip().startswith("error: notes.jpg: not an image Shotline accepts")
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(master.read_bytes()[:5000])
    truncated = shotline.fail("render", str(cut), "-c", "pdp", "-o", str(out))
    assert truncated.startswith("error: cut.jpg: the image data is truncated or corrupt")
    assert not out.exists()


def test_a_broken_policy_file(shotline: Shotline, master: Path, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(default_policy_text().replace("margin: 0.04", "margin: 0.3"))
    stderr = shotline.fail(
        "render", str(master), "-c", "pdp", "-o", str(tmp_path), "--policy", str(policy)
    )
    assert "channels.amazon_main.margin: 0.3 leaves the product 0.40 of the frame" in stderr
    missing = shotline.fail(
        "render", str(master), "-c", "pdp", "-o", str(tmp_path), "--policy", "nope.yaml"
    )
    assert missing.strip() == "error: cannot read policy file nope.yaml: No such file or directory"


def test_missing_options_are_usage_errors(shotline: Shotline, master: Path) -> None:
    result = shotline("render", str(master), "--channel", "pdp")
    assert result.exit_code == 2
    assert "--out" in result.output
