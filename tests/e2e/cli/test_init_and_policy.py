"""`shotline init` and `shotline policy check|show|activate`, end to end."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

import shotline
from shotline.adapters.db.models import Workspace
from shotline.services.policies import default_policy_text

PACKAGED_DEFAULT = Path(shotline.__file__).parent / "policies" / "default.yaml"
CATALOG_SLA = "sla: {C1: 16, C2: 24, C3: 40, C4: 56}"
SLA_ISSUE = 'tracks.catalog.sla.C3: expected hours, got "soon"'


def _broken(tmp_path: Path) -> Path:
    text = default_policy_text()
    assert CATALOG_SLA in text
    path = tmp_path / "broken.yaml"
    path.write_text(text.replace(CATALOG_SLA, "sla: {C1: 16, C2: 24, C3: soon, C4: 56}"))
    return path


def _renamed(tmp_path: Path, name: str = "spring") -> Path:
    text = default_policy_text()
    assert "\nname: default\n" in text
    path = tmp_path / f"{name}.yaml"
    path.write_text(text.replace("\nname: default\n", f"\nname: {name}\n"))
    return path


# init


def test_init_creates_the_workspace_then_reports_it_up_to_date(cli, database_url) -> None:
    first = cli.ok("init").stdout.splitlines()
    assert re.fullmatch(
        rf"database up to date \(revision \w+\) at {re.escape(database_url)}", first[0]
    )
    assert first[1:] == [
        "workspace 'default' created with policy version 1; user 'admin' holds the admin role"
    ]
    second = cli.ok("init").stdout.splitlines()
    assert second == [first[0], "workspace 'default' exists (policy version 1)"]
    assert cli.count(Workspace) == 1


def test_init_on_a_new_database_file_creates_the_schema(fresh) -> None:
    lines = fresh.ok("init").stdout.splitlines()
    assert re.fullmatch(
        r"database created \(revision \w+\) at sqlite:///.*/new/shotline\.db", lines[0]
    )
    assert lines[1].startswith("workspace 'default' created with policy version 1")
    assert fresh.ok("init").stdout.startswith("database up to date (revision ")


def test_init_with_a_named_workspace_and_policy_file(cli, tmp_path) -> None:
    out = cli.ok("--workspace", "acme", "init", "--policy", str(_renamed(tmp_path))).stdout
    assert "workspace 'acme' created with policy version 1" in out
    shown = cli.ok("--workspace", "acme", "policy", "show", "--summary").stdout
    assert shown.splitlines()[0] == "policy 'spring' (stored version 1)"


def test_init_with_a_broken_policy_fails_clearly_and_creates_nothing(cli, tmp_path) -> None:
    err = cli.fail(1, "init", "--policy", str(_broken(tmp_path)))
    assert err.startswith("error: ")
    assert f"  {SLA_ISSUE}\n" in err
    assert cli.count(Workspace) == 0
    assert "workspace 'default' created" in cli.ok("init").stdout


def test_init_policy_error_names_the_file_given(cli, tmp_path) -> None:
    # The user passed broken.yaml; the message must not blame "default policy".
    err = cli.fail(1, "init", "--policy", str(_broken(tmp_path)))
    assert "broken.yaml" in err
    assert "default policy" not in err


def test_init_with_a_missing_policy_file(cli, tmp_path) -> None:
    missing = tmp_path / "missing.yaml"
    err = cli.fail(1, "init", "--policy", str(missing))
    assert err.startswith(f"error: cannot read policy file {missing}")
    assert cli.count(Workspace) == 0


# policy check (reads no database)


def test_policy_check_accepts_the_packaged_default(fresh) -> None:
    out = fresh.ok("policy", "check", str(PACKAGED_DEFAULT)).stdout
    assert out.startswith(f"ok {PACKAGED_DEFAULT}: policy 'default' v1, 4 categories, 6 tracks, ")
    assert out.endswith(" 7 channels\n")


def test_policy_check_lists_each_problem_with_its_path(fresh, tmp_path) -> None:
    path = _broken(tmp_path)
    err = fresh.fail(1, "policy", "check", str(path))
    assert err == f"{path}: 1 problem(s)\n  {SLA_ISSUE}\n"


def test_policy_check_of_a_missing_file_is_one_line(fresh, tmp_path) -> None:
    missing = tmp_path / "missing.yaml"
    # 80 columns: what rich uses for a pipe or a CI log.
    err = fresh.fail(1, "policy", "check", str(missing), COLUMNS="80")
    assert len(err.splitlines()) == 1, err
    assert err.startswith(f"error: cannot read policy file {missing}: ")


# policy show


def test_policy_show_prints_the_stored_yaml_unchanged(ready) -> None:
    # Narrow output, as in `shotline policy show > mine.yaml`: the YAML must survive intact.
    out = ready.ok("policy", "show", COLUMNS="80").stdout
    lines = out.rstrip("\n").splitlines()
    assert lines[0] == "# workspace default, stored policy version 1"
    assert lines[1:] == default_policy_text().rstrip("\n").splitlines()
    assert yaml.safe_load(out) == yaml.safe_load(default_policy_text())


def test_policy_show_summary(ready) -> None:
    lines = ready.ok("policy", "show", "--summary").stdout.splitlines()
    assert lines[0] == "policy 'default' (stored version 1)"
    assert (
        "  track catalog: gates technical, styling_fit, brand_merch, final_qc; "
        "SLA C1 16h, C2 24h, C3 40h, C4 56h"
    ) in lines
    assert "  track marketplace: gates technical, final_qc; SLA C1 8h, C2 16h, C3 24h, C4 40h" in (
        lines
    )
    assert len(lines) == 1 + 6


def test_policy_show_needs_a_workspace(cli) -> None:
    err = cli.fail(1, "policy", "show")
    assert err == "error: no workspace 'default'; run `shotline init` first\n"


# policy activate


def test_policy_activate_stores_a_new_version(ready, tmp_path) -> None:
    out = ready.ok("policy", "activate", str(_renamed(tmp_path))).stdout
    assert out == "activated 'spring' as version 2\n"
    summary = ready.ok("policy", "show", "--summary").stdout
    assert summary.startswith("policy 'spring' (stored version 2)\n")
    assert ready.ok("init").stdout.endswith("workspace 'default' exists (policy version 2)\n")


def test_policy_activate_by_a_creative_ops_manager(ready, tmp_path) -> None:
    ready.ok("users", "add", "cora", "--role", "creative_ops_manager")
    out = ready.ok("--as", "cora", "policy", "activate", str(_renamed(tmp_path))).stdout
    assert out == "activated 'spring' as version 2\n"


def test_policy_activate_is_refused_without_a_policy_role(ready, tmp_path) -> None:
    ready.ok("users", "add", "pia", "--role", "photographer")
    err = ready.fail(1, "--as", "pia", "policy", "activate", str(_renamed(tmp_path)))
    assert err == (
        "error: pia cannot change the policy in workspace default: "
        "needs one of the roles admin, creative_ops_manager\n"
    )
    assert ready.ok("policy", "show", "--summary").stdout.startswith(
        "policy 'default' (stored version 1)\n"
    )


def test_policy_activate_of_a_broken_file_keeps_the_active_version(ready, tmp_path) -> None:
    err = ready.fail(1, "policy", "activate", str(_broken(tmp_path)))
    assert f"  {SLA_ISSUE}\n" in err
    assert ready.ok("policy", "show", "--summary").stdout.startswith(
        "policy 'default' (stored version 1)\n"
    )


def test_policy_activate_of_a_missing_file(ready, tmp_path) -> None:
    missing = tmp_path / "missing.yaml"
    err = ready.fail(1, "policy", "activate", str(missing))
    assert err.startswith(f"error: cannot read policy file {missing}: ")
