"""AI governance, pure: workflow specs, fingerprints, status changes, the policy's AI rules,
rejection rates with their Wilson interval, readiness, model-update impact and cleanup."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest

from shotline.domain import ai
from shotline.domain.ai import AiWorkflowError, Outcome, Rejections, VersionFact
from shotline.domain.errors import PolicyError
from shotline.domain.policy import Policy, policy_from_mapping
from shotline.domain.policy.model import AiReadiness
from shotline.domain.review import ItemAnswer, gates_for, judge
from shotline.domain.sla import skill_facts

LORA = hashlib.sha256(b"garment-drape v2").hexdigest()
SPEC: dict[str, Any] = {
    "name": "model-shots",
    "version": 3,
    "tool": "ComfyUI",
    "model": "sdxl-base",
    "model_version": 1.0,
    "loras": [{"name": "garment-drape", "version": 2, "sha256": LORA.upper()}],
    "prompt": "model shot of {product}",
    "reference_set": [hashlib.sha256(b"flat lay").hexdigest()],
    "categories": ["apparel"],
}


def spec(**changes: Any) -> ai.WorkflowSpec:
    return ai.parse_spec({**SPEC, **changes})


# the workflow description


def test_a_spec_keeps_numbers_from_yaml_as_text_and_checksums_in_lower_case() -> None:
    s = spec()
    assert s.ref == "model-shots@3"
    assert s.model_version == "1.0"
    assert s.loras[0].version == "2"
    assert s.loras[0].sha256 == LORA
    assert s.views == ()
    assert s.content()["loras"] == [{"name": "garment-drape", "version": "2", "sha256": LORA}]


def test_a_broken_spec_names_every_problem_with_its_path() -> None:
    data = {
        **SPEC,
        "name": "Model Shots",
        "loras": [{"name": "x", "version": "1", "sha256": "abc"}],
    }
    del data["prompt"]
    data["seed"] = 42
    with pytest.raises(AiWorkflowError) as caught:
        ai.parse_spec(data, "wf.yaml")
    message = str(caught.value)
    assert message.startswith("wf.yaml has 4 problem(s): ")
    assert "name: expected a lower-case name" in message
    assert "loras[0].sha256: expected a SHA-256 checksum (64 hex digits)" in message
    assert "prompt: required" in message
    assert "seed: unknown field" in message


def test_a_spec_must_be_a_mapping_and_name_a_category() -> None:
    with pytest.raises(AiWorkflowError, match="a workflow must be a mapping"):
        ai.parse_spec(["model-shots"])
    with pytest.raises(AiWorkflowError, match="categories"):
        spec(categories=[])


def test_the_scope_must_use_the_policys_categories_and_views(default_policy: Policy) -> None:
    assert ai.scope_problems(default_policy, spec(categories=["apparel", "shoes"])) == []
    assert ai.scope_problems(default_policy, spec(categories=["hats"], views=["front", "sky"])) == [
        "unknown category 'hats'; expected some of apparel, shoes, bags, jewelry",
        "unknown view 'sky': no category's shot list has it",
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"prompt": "model shot of {product}, smiling"}, "prompt"),
        ({"model_version": "1.1"}, "model_version"),
        ({"model": "flux-dev"}, "model"),
        ({"loras": [{"name": "garment-drape", "version": "3", "sha256": LORA}]}, "loras"),
        ({"loras": []}, "loras"),
        ({"categories": ["apparel", "shoes"]}, "categories"),
    ],
)
def test_changing_the_model_a_lora_or_the_prompt_changes_the_fingerprint(
    change: dict[str, Any], field: str
) -> None:
    before, after = spec().content(), spec(**change).content()
    assert ai.fingerprint(before) != ai.fingerprint(after)
    assert ai.changed_fields(before, after) == [field]


def test_the_fingerprint_ignores_name_version_and_key_order() -> None:
    a = spec().content()
    b = dict(reversed(list(spec(version=4).content().items())))
    assert ai.fingerprint(a) == ai.fingerprint(b)
    assert (
        ai.prompt_sha256("model shot of {product}")
        == hashlib.sha256(b"model shot of {product}").hexdigest()
    )


@pytest.mark.parametrize(
    ("text", "required", "expected"),
    [
        ("model-shots@3", True, ("model-shots", 3)),
        (" model-shots@12 ", True, ("model-shots", 12)),
        ("model-shots", False, ("model-shots", None)),
        ("model-shots@2", False, ("model-shots", 2)),
    ],
)
def test_references(text: str, required: bool, expected: tuple[str, int | None]) -> None:
    assert ai.parse_ref(text, required) == expected


@pytest.mark.parametrize("text", ["model-shots", "model-shots@", "model-shots@0", "@3", "A@1", ""])
def test_bad_references_are_refused(text: str) -> None:
    with pytest.raises(AiWorkflowError, match="expected NAME@VERSION like model-shots@3"):
        ai.parse_ref(text)


def test_status_moves_forward_only() -> None:
    assert ai.check_status_change("w@1", "experimental", "approved") is True
    assert ai.check_status_change("w@1", "experimental", "retired") is True
    assert ai.check_status_change("w@1", "approved", "retired") is True
    assert ai.check_status_change("w@1", "approved", "approved") is False
    with pytest.raises(AiWorkflowError, match="w@1 is retired; it cannot become approved"):
        ai.check_status_change("w@1", "retired", "approved")


# the policy


def facts(**fields: str) -> dict[str, str]:
    base = {"fabric": "cotton jersey", "color_priority": "standard", **fields}
    view = base.pop("view", "front")
    category = base.pop("category", "apparel")
    return skill_facts(base, "ai_generated", "C3", category, view)


@pytest.mark.parametrize(
    ("fields", "rule"),
    [
        ({"color_priority": "critical"}, "colour-critical product"),
        ({"fit_sensitive": "yes"}, "fit-sensitive apparel"),
        ({"category": "jewelry"}, "jewelry"),
        ({"category": "bags", "metal_type": "polished chrome"}, "reflective metal"),
        ({"fabric": "patent leather"}, "reflective material"),
        ({"fabric": "Chantilly LACE"}, "complex fabric"),
        ({"fabric": "sequin mesh"}, "complex fabric"),
        ({"fabric": "wool knit"}, "complex fabric"),
        ({"fabric": "faux fur"}, "complex fabric"),
        ({"fabric": "sheer chiffon"}, "complex fabric"),
        ({"view": "hands"}, "close-up of hands, faces, hair or skin"),
        ({"view": "face"}, "close-up of hands, faces, hair or skin"),
        ({"view": "hair"}, "close-up of hands, faces, hair or skin"),
        ({"view": "skin"}, "close-up of hands, faces, hair or skin"),
    ],
)
def test_the_seed_keeps_ai_off_sensitive_work(
    default_policy: Policy, fields: dict[str, str], rule: str
) -> None:
    assert ai.ai_refusals(default_policy, facts(**fields)) == [rule]


@pytest.mark.parametrize(
    "fields",
    [{}, {"fit_sensitive": "no"}, {"color_priority": "high"}, {"view": "on_model"}],
)
def test_plain_work_is_open_to_ai(default_policy: Policy, fields: dict[str, str]) -> None:
    assert ai.ai_refusals(default_policy, facts(**fields)) == []


def test_a_policy_that_switches_off_human_final_qc_for_ai_is_rejected(
    policy_data: dict[str, Any],
) -> None:
    policy_data["ai"]["human_final_qc"] = False
    with pytest.raises(PolicyError) as caught:
        policy_from_mapping(policy_data, "lax.yaml")
    assert [str(i) for i in caught.value.issues] == [
        "ai.human_final_qc: human final QC of AI output cannot be switched off by any policy "
        "(an invariant, not a setting); remove the key"
    ]
    assert "lax.yaml has 1 problem(s)" in str(caught.value)


def test_even_a_policy_built_around_the_loader_keeps_human_final_qc(
    default_policy: Policy,
) -> None:
    data = default_policy.model_dump()
    data["ai"]["human_final_qc"] = False
    data["tracks"]["ai_generated"]["gates"] = ("technical",)
    lax = Policy.model_validate(data)
    assert gates_for(lax, "ai_generated", "ai") == ("technical", "final_qc")
    answers = [ItemAnswer(i.code, True) for i in lax.gates["technical"].checklist]
    assert judge(lax, "ai_generated", "technical", "ai", answers).next_gate == "final_qc"


def test_ai_rules_may_only_read_known_fields(policy_data: dict[str, Any]) -> None:
    policy_data["ai"]["refuse"].append({"name": "x", "when": {"glitter": "yes"}})
    with pytest.raises(PolicyError) as caught:
        policy_from_mapping(policy_data)
    assert [str(i) for i in caught.value.issues] == ["ai.refuse[7].when: unknown field 'glitter'"]


def test_ai_readiness_and_retention_are_checked(policy_data: dict[str, Any]) -> None:
    policy_data["ai"]["readiness"] = {"min_reviewed": 0, "max_rejection_rate": 1.5}
    policy_data["ai"]["retention"] = {"rejected_files_days": 0}
    with pytest.raises(PolicyError) as caught:
        policy_from_mapping(policy_data)
    paths = [i.path for i in caught.value.issues]
    assert paths == [
        "ai.readiness.min_reviewed",
        "ai.readiness.max_rejection_rate",
        "ai.retention.rejected_files_days",
    ]


def test_a_policy_without_an_ai_section_gets_the_invariant_and_no_rules(
    policy_data: dict[str, Any],
) -> None:
    del policy_data["ai"]
    policy = policy_from_mapping(policy_data)
    assert policy.ai.human_final_qc is True
    assert policy.ai.refuse == ()
    assert (policy.ai.readiness.min_reviewed, policy.ai.readiness.max_rejection_rate) == (50, 0.1)
    assert policy.ai.retention.rejected_files_days is None


def test_the_experimental_track_is_the_one_that_never_delivers(
    default_policy: Policy, policy_data: dict[str, Any]
) -> None:
    assert ai.experimental_track(default_policy) == "ai_experimental"
    policy_data["tracks"]["ai_experimental"]["can_deliver"] = True
    assert ai.experimental_track(policy_from_mapping(policy_data)) is None


# measuring


def test_outcomes_count_a_version_once_and_rejected_when_any_gate_failed() -> None:
    versions = {1: ("w@1", "apparel"), 2: ("w@1", "apparel"), 3: ("w@2", "shoes")}
    decisions = [
        (1, True, ()),
        (1, False, ("anatomy_error", "texture_loss")),
        (2, True, ()),
        (2, True, ()),
        (3, False, ("anatomy_error",)),
        (3, False, ("anatomy_error",)),
        (9, False, ("ignored",)),  # not an AI version asked about
    ]
    got = ai.outcomes(decisions, versions)
    assert got == [
        Outcome(1, "w@1", "apparel", True, ("anatomy_error", "texture_loss")),
        Outcome(2, "w@1", "apparel", False),
        Outcome(3, "w@2", "shoes", True, ("anatomy_error",)),
    ]
    stats = ai.by_workflow(got)
    assert stats["w@1"] == Rejections(2, 1, {"anatomy_error": 1, "texture_loss": 1})
    assert stats["w@1"].rate == 0.5
    assert stats["w@2"] == Rejections(1, 1, {"anatomy_error": 1})


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (0, 10, 0.0, 0.2775),
        (1, 10, 0.0179, 0.4042),
        (5, 50, 0.0435, 0.2136),
        (50, 50, 0.9287, 1.0),
    ],
)
def test_wilson_interval(k: int, n: int, low: float, high: float) -> None:
    interval = ai.wilson(k, n)
    assert interval is not None
    assert interval == pytest.approx((low, high), abs=1e-4)


def test_no_interval_without_observations() -> None:
    assert ai.wilson(0, 0) is None
    assert Rejections(0, 0).rate is None and Rejections(0, 0).interval is None


RULES = AiReadiness(min_reviewed=50, max_rejection_rate=0.10)


def test_too_few_reviewed_outputs_are_not_ready_whatever_the_rate() -> None:
    r = ai.readiness(Rejections(49, 0), RULES)
    assert not r.ready
    assert r.summary == (
        "not ready: 49 reviewed output(s), fewer than the 50 the policy asks for; "
        "0 of 49 rejected (0.0%, 95% CI 0.0%-7.3%)"
    )
    assert ai.readiness(Rejections(0, 0), RULES).summary == (
        "not ready: 0 reviewed output(s), fewer than the 50 the policy asks for"
    )


def test_ready_below_the_threshold_with_the_interval_shown() -> None:
    r = ai.readiness(Rejections(60, 3), RULES)
    assert r.ready and r.rate == 0.05
    assert r.interval == pytest.approx((0.0171, 0.1370), abs=1e-4)
    assert r.summary == "ready to scale: 3 of 60 rejected (5.0%, 95% CI 1.7%-13.7%), below 10.0%"


def test_at_or_above_the_threshold_is_not_ready() -> None:
    assert not ai.readiness(Rejections(50, 5), RULES).ready  # exactly 10%: not below
    r = ai.readiness(Rejections(80, 12), RULES)
    assert not r.ready
    assert r.summary.startswith("not ready: 12 of 80 rejected (15.0%, 95% CI ")
    assert r.summary.endswith(", not below 10.0%")


def test_model_update_impact_compares_consecutive_versions_with_counts() -> None:
    v3 = Rejections(10, 4, {"anatomy_error": 3, "texture_loss": 1})
    v4 = Rejections(20, 2, {"anatomy_error": 1, "garment_deformation": 1})
    v5 = Rejections(0, 0)
    impacts = ai.model_update_impact([("w@3", v3), ("w@4", v4), ("w@5", v5)])
    assert [(i.before, i.after) for i in impacts] == [("w@3", "w@4"), ("w@4", "w@5")]
    first = impacts[0]
    assert first.rate_change == pytest.approx(0.1 - 0.4)
    assert first.reasons() == [
        ("anatomy_error", 3, 1),
        ("texture_loss", 1, 0),
        ("garment_deformation", 0, 1),
    ]
    assert impacts[1].rate_change is None


def test_first_pass_of_ai_against_studio_output_of_the_same_category() -> None:
    ai_out = [Outcome(1, "w@1", "apparel", True), Outcome(2, "w@1", "apparel", False)]
    studio = [
        Outcome(3, None, "apparel", False),
        Outcome(4, None, "apparel", False),
        Outcome(5, None, "apparel", False),
        Outcome(6, None, "apparel", True),
        Outcome(7, None, "shoes", True),
    ]
    [apparel, shoes] = ai.first_pass_by_category(ai_out, studio, ["apparel", "shoes"])
    assert ai.FirstPass.share(apparel.ai) == 0.5
    assert ai.FirstPass.share(apparel.studio) == 0.75
    assert ai.FirstPass.share(shoes.ai) is None
    assert ai.FirstPass.share(shoes.studio) == 0.0


def test_cleanup_counts_retouch_versions_and_hours_after_each_ai_version() -> None:
    t0 = dt.datetime(2026, 11, 2, 14, tzinfo=dt.UTC)

    def at(hours: float) -> dt.datetime:
        return t0 + dt.timedelta(hours=hours)

    uploads = [
        VersionFact(1, at(0), "ai", "w@1", 1.2),
        VersionFact(1, at(3), "retouch", None, 4.0),
        VersionFact(1, at(5), "retouch", None, 6.0),
        VersionFact(1, at(6), "ai", "w@2", 1.2),  # the next AI version ends w@1's cleanup
        VersionFact(1, at(10), "retouch", None, 5.0),
        VersionFact(2, at(1), "capture", None, 8.0),  # before any AI: not cleanup
        VersionFact(2, at(2), "ai", "w@1", 1.2),  # never touched up
    ]
    result = ai.cleanup(reversed(uploads))
    assert result["w@1"] == ai.Cleanup(ai_versions=2, retouch_versions=2, hours=5.0, cost=10.0)
    assert result["w@2"] == ai.Cleanup(ai_versions=1, retouch_versions=1, hours=4.0, cost=5.0)
