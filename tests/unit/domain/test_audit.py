"""The self-audit: every checklist question answered from hand-built facts, and the
maturity scale's thresholds."""

from __future__ import annotations

from typing import Any

import pytest

from shotline.domain.audit import (
    QUESTIONS,
    SECTIONS,
    Answer,
    AuditFacts,
    AuditItem,
    audit,
    build_report,
    maturity,
)
from shotline.domain.policy import Policy, policy_from_mapping
from shotline.domain.policy.model import ChecklistItem, Defect, Gate, Naming, OnFail

SEED_CHECKLIST = {
    "intake": [
        "Is every creative request submitted through one intake process?",
        "Are mandatory fields required before work starts?",
        "Are SKU, category, colorway, channel, deadline, and owner included?",
        "Are shot lists standardized by product category?",
        "Are incomplete requests rejected or returned for clarification?",
    ],
    "workflow": [
        "Can every asset be tracked from request to delivery?",
        "Does each asset have a clear status?",
        "Are production paths defined by asset type or complexity?",
        "Are hero, batch, and AI-generated assets routed separately?",
        "Are handoffs documented between studio, retouching, QC, and delivery?",
        # Not in the checklist itself: the seed's "log exceptions and review them monthly".
        "Are exceptions logged and reviewed monthly?",
    ],
    "quality_control": [
        "Are QC standards written down?",
        "Are review gates assigned to specific roles?",
        "Are pass/fail reasons logged?",
        "Are rework reasons categorized?",
        "Are color, fit, styling, and AI artifacts checked systematically?",
    ],
    "asset_management": [
        "Is there one source of truth for files?",
        "Are RAW, selects, WIP, final, and archive folders clearly separated?",
        "Are naming conventions consistent?",
        "Are old versions archived or clearly marked?",
        "Can teams quickly identify the approved final asset?",
    ],
    "ai_governance": [
        "Are there rules for where AI can and cannot be used?",
        "Are prompts, models, LoRAs, and reference sets versioned?",
        "Are AI outputs reviewed by humans before delivery?",
        "Is AI rejection rate tracked?",
        "Are hallucinations, color drift, and product inaccuracies logged?",
    ],
    "metrics": [
        "Is first-pass approval rate tracked?",
        "Is SLA hit rate visible by category or production path?",
        "Is rework rate tracked?",
        "Is cost per image or cost per SKU measured?",
        "Is shoot-to-live time measured?",
        "Are aging assets visible in the queue?",
        "Are supplier or vendor performance metrics reviewed?",
    ],
}


def ask(facts: AuditFacts, question: str) -> tuple[str, str]:
    """(answer, evidence) of the one question that starts with `question`."""
    found = [i for i in audit(facts) if i.question.startswith(question)]
    assert len(found) == 1, question
    return found[0].answer, found[0].evidence


def variant(policy_data: dict[str, Any], **changes: Any) -> Policy:
    """A valid policy: the default one with some top-level keys replaced."""
    return policy_from_mapping({**policy_data, **changes})


@pytest.fixture
def p(default_policy: Policy) -> Policy:
    return default_policy


# the checklist


def test_every_seed_question_is_asked_once_in_checklist_order() -> None:
    expected = [(s, q) for s, questions in SEED_CHECKLIST.items() for q in questions]
    assert [(q.section, q.text) for q in QUESTIONS] == expected
    assert list(SECTIONS) == list(SEED_CHECKLIST)


def test_an_empty_workspace_has_written_standards_and_nothing_else(p: Policy) -> None:
    answers = {i.question: i.answer for i in audit(AuditFacts(p))}
    assert [q for q, a in answers.items() if a == "yes"] == [
        "Are mandatory fields required before work starts?",
        "Are shot lists standardized by product category?",
        "Are incomplete requests rejected or returned for clarification?",
        "Are production paths defined by asset type or complexity?",
        "Are hero, batch, and AI-generated assets routed separately?",
        "Are QC standards written down?",
        "Are review gates assigned to specific roles?",
        "Are rework reasons categorized?",
        "Are naming conventions consistent?",
        "Are there rules for where AI can and cannot be used?",
    ]
    assert [q for q, a in answers.items() if a == "partial"] == [
        "Are SKU, category, colorway, channel, deadline, and owner included?",
        "Are color, fit, styling, and AI artifacts checked systematically?",
        "Are hallucinations, color drift, and product inaccuracies logged?",
    ]
    assert list(answers.values()).count("no") == 20
    assert all(i.evidence for i in audit(AuditFacts(p)))


# intake


def test_intake_share_gives_the_answer_and_names_the_exceptions(p: Policy) -> None:
    assert ask(AuditFacts(p), "Is every creative") == (
        "no",
        "no assets yet: nothing shows requests entering through intake",
    )
    assert ask(AuditFacts(p, assets=40), "Is every creative") == (
        "yes",
        "100% of 40 assets entered through intake; no skip_intake exception was granted",
    )
    skipped = AuditFacts(p, assets=100, assets_skipping_intake=3, skip_intake_granted=3)
    assert ask(skipped, "Is every creative") == (
        "yes",
        "97% of 100 assets entered through intake; 3 skip_intake exceptions skipped it "
        "(for 3 assets)",
    )
    half = AuditFacts(p, assets=10, assets_skipping_intake=5, skip_intake_granted=1)
    assert ask(half, "Is every creative") == (
        "partial",
        "50% of 10 assets entered through intake; 1 skip_intake exception skipped it "
        "(for 5 assets)",
    )
    most = AuditFacts(p, assets=10, assets_skipping_intake=6, skip_intake_granted=2)
    assert ask(most, "Is every creative")[0] == "no"


def test_mandatory_fields_come_from_the_policy_and_the_lines_show_them(p: Policy) -> None:
    answer, evidence = ask(AuditFacts(p, lines_accepted=38, lines_rejected=2), "Are mandatory")
    assert answer == "yes"
    assert evidence == (
        "the policy requires 8 fields on every line (sku, product_name, category, colorways, "
        "channels, approval_owner, priority, production_path) and 12 category- or "
        "path-specific ones; 38 of 40 lines (95%) came complete, 2 rejected before any work "
        "started"
    )
    assert ask(AuditFacts(p), "Are mandatory")[1].endswith("; no request line received yet")


def test_core_fields_without_a_required_deadline_are_partial(
    p: Policy, policy_data: dict[str, Any]
) -> None:
    facts = AuditFacts(p, lines_accepted=10, lines_with_deadline=4)
    assert ask(facts, "Are SKU, category") == (
        "partial",
        "required on every line: SKU, category, colorway, channel, owner; optional: deadline "
        "(without one, the track's SLA sets the due date); 4 of 10 accepted lines (40%) gave "
        "a deadline",
    )
    intake = {**policy_data["intake"]}
    intake["required"] = [*intake["required"], "deadline"]
    strict = variant(policy_data, intake=intake)
    assert ask(AuditFacts(strict), "Are SKU, category") == (
        "yes",
        "required on every line: SKU, category, colorway, channel, deadline, owner",
    )
    intake["required"] = ["sku", "category", "colorways"]
    loose = variant(policy_data, intake=intake)
    assert ask(AuditFacts(loose), "Are SKU, category")[0] == "partial"


def test_shot_lists_are_standard_and_assets_are_measured_against_them(p: Policy) -> None:
    answer, evidence = ask(AuditFacts(p), "Are shot lists")
    assert answer == "yes"
    assert evidence == (
        "4 categories with a shot list (apparel 7 views, shoes 6 views, bags 6 views, "
        "jewelry 6 views); no assets yet"
    )
    on_list = AuditFacts(p, views={"apparel": {"front": 6, "back": 4}})
    assert ask(on_list, "Are shot lists")[1].endswith(
        "; all 10 assets on a view from their category's shot list"
    )
    # A view dropped from the shot list, or a category dropped from the policy.
    drift = AuditFacts(p, views={"apparel": {"front": 4, "flat": 3}, "hats": {"front": 3}})
    answer, evidence = ask(drift, "Are shot lists")
    assert answer == "no"
    assert evidence.endswith("; 4 of 10 assets (40%) on a view from their category's shot list")


def test_incomplete_requests_are_rejected_by_construction(p: Policy) -> None:
    facts = AuditFacts(p, requests=5, requests_needs_info=1, lines_accepted=36, lines_rejected=4)
    assert ask(facts, "Are incomplete") == (
        "yes",
        "intake rejects every line that misses a required field or breaks a rule and returns "
        "its request as needs_info (by construction); 4 of 40 lines rejected with their "
        "errors, 1 of 5 requests returned as needs_info",
    )
    clean = AuditFacts(p, requests=1, lines_accepted=3)
    assert ask(clean, "Are incomplete")[1].endswith("; no incomplete line among 3 lines so far")


# workflow


def test_tracking_and_status_need_assets(p: Policy) -> None:
    assert ask(AuditFacts(p), "Can every asset")[0] == "no"
    assert ask(AuditFacts(p), "Does each asset")[0] == "no"
    facts = AuditFacts(
        p,
        assets=10,
        asset_states={"in_review": 6, "live": 3, "requested": 1},
        events={"line_accepted": 2, "version_uploaded": 20},
        assets_delivered=3,
    )
    assert ask(facts, "Can every asset") == (
        "yes",
        "10 assets, each linked to its request line, with every move since in the event log "
        "(22 events); 3 delivered so far",
    )
    assert ask(facts, "Does each asset") == (
        "yes",
        "all 10 assets in a lifecycle state: in_review 6, live 3, requested 1",
    )
    odd = AuditFacts(p, assets=10, asset_states={"in_review": 6, "limbo": 4})
    assert ask(odd, "Does each asset") == (
        "partial",
        "6 of 10 assets (60%) in a lifecycle state: in_review 6, limbo 4",
    )


def test_production_paths_by_type_and_complexity(p: Policy, policy_data: dict[str, Any]) -> None:
    facts = AuditFacts(p, asset_tracks={"catalog": 7, "hero": 2})
    assert ask(facts, "Are production paths") == (
        "yes",
        "6 tracks (hero, catalog, high_complexity, ai_generated, ai_experimental, marketplace); "
        "routing reads complexity, production_path; 11 complexity rules set C1-C4; assets by "
        "track: catalog 7, hero 2",
    )
    flat = variant(policy_data, complexity={"default": "C1"})
    assert ask(AuditFacts(flat), "Are production paths")[0] == "partial"
    single = variant(
        policy_data,
        tracks={"catalog": policy_data["tracks"]["catalog"]},
        routing=[{"track": "catalog"}],
    )
    answer, evidence = ask(AuditFacts(single), "Are production paths")
    assert answer == "no"
    assert evidence.startswith("1 track (catalog); routing reads nothing;")


def test_hero_batch_and_ai_go_to_separate_tracks(p: Policy, policy_data: dict[str, Any]) -> None:
    facts = AuditFacts(p, asset_tracks={"catalog": 7, "ai_generated": 2, "marketplace": 1})
    assert ask(facts, "Are hero, batch") == (
        "yes",
        "hero -> hero; batch -> catalog; AI-generated -> ai_generated; assets: catalog 7, "
        "ai_generated 2",
    )
    # Without its routing rule, hero work lands in the catalog queue.
    routing = [r for r in policy_data["routing"] if r.get("when") != {"production_path": "hero"}]
    mixed = variant(policy_data, routing=routing)
    assert ask(AuditFacts(mixed), "Are hero, batch") == (
        "partial",
        "hero -> catalog; batch -> catalog; AI-generated -> ai_generated",
    )
    paths = {k: v for k, v in policy_data["production_paths"].items() if k in ("catalog",)}
    none = variant(policy_data, production_paths=paths)
    assert ask(AuditFacts(none), "Are hero, batch") == (
        "no",
        "hero: no hero path; batch -> catalog; AI-generated: no ai_generated path",
    )


def test_handoffs_need_every_stage_in_the_log(p: Policy) -> None:
    assert ask(AuditFacts(p), "Are handoffs") == ("no", "no handoff recorded yet")
    some = AuditFacts(p, versions_by_kind={"capture": 4, "ai": 1}, decisions=3)
    assert ask(some, "Are handoffs") == (
        "partial",
        "the event log records who handed over what: 5 capture or AI uploads, 3 gate "
        "decisions; nothing recorded yet for retouching, delivery",
    )
    every = AuditFacts(
        p,
        versions_by_kind={"capture": 1, "retouch": 2},
        decisions=1,
        events={"delivered": 1, "assigned": 2},
    )
    assert ask(every, "Are handoffs") == (
        "yes",
        "the event log records who handed over what: 1 capture or AI upload, 2 retouch "
        "uploads, 1 gate decision, 1 delivery and 2 assignments",
    )


def test_exceptions_are_logged_and_recurring_kinds_flagged(p: Policy) -> None:
    assert ask(AuditFacts(p), "Are exceptions")[0] == "no"
    assert ask(AuditFacts(p, assets=8), "Are exceptions") == (
        "yes",
        "no exception was needed for 8 assets",
    )
    spread = {"2026-10": {"bypass_gate": 2}, "2026-11": {"bypass_gate": 2, "skip_intake": 1}}
    assert ask(AuditFacts(p, assets=8, exceptions_by_month=spread), "Are exceptions") == (
        "yes",
        "5 exceptions logged with reason and decision (bypass_gate 4, skip_intake 1); "
        "no kind recurs 3+ times in a month",
    )
    recurring = {"2026-11": {"bypass_gate": 3}}
    assert ask(AuditFacts(p, exceptions_by_month=recurring), "Are exceptions") == (
        "partial",
        "3 exceptions logged with reason and decision (bypass_gate 3); bypass_gate recurred "
        "3+ times in a month: formalise into the process or stop allowing "
        "(`shotline exceptions report`)",
    )


# quality control


def test_qc_standards_and_gate_roles_come_from_the_policy(p: Policy) -> None:
    assert ask(AuditFacts(p, policy_version=2), "Are QC standards") == (
        "yes",
        "policy version 2: 4 gates (technical, styling_fit, brand_merch, final_qc) with 35 "
        "binary checklist items and 23 defect codes",
    )
    assert ask(AuditFacts(p, decisions=12), "Are review gates") == (
        "yes",
        "technical: qc_lead, retouching_lead; styling_fit: creative_director, merchandiser, "
        "retouching_lead; brand_merch: creative_director, merchandiser; final_qc: qc_lead; "
        "only these roles may decide, and nobody passes final QC of their own version (by "
        "construction); 12 decisions recorded",
    )


def test_pass_fail_reasons_are_logged_with_every_decision(p: Policy) -> None:
    assert ask(AuditFacts(p), "Are pass/fail") == ("no", "no gate decision recorded yet")
    assert ask(AuditFacts(p, decisions=4), "Are pass/fail") == (
        "yes",
        "4 decisions recorded with their full checklist; none failed yet",
    )
    failed = AuditFacts(p, decisions=10, failed_decisions=3, failed_with_defects=3)
    assert ask(failed, "Are pass/fail") == (
        "yes",
        "10 decisions recorded with their full checklist; all 3 failed decisions with defect "
        "codes (by construction: a failed checklist item needs a defect code)",
    )
    # Never happens through the services, but the audit measures rather than assumes.
    bare = AuditFacts(p, decisions=10, failed_decisions=4, failed_with_defects=2)
    assert ask(bare, "Are pass/fail")[0] == "partial"


def test_rework_reasons_are_grouped_by_the_policy(p: Policy) -> None:
    assert ask(AuditFacts(p), "Are rework reasons") == (
        "yes",
        "23 defect codes in 5 groups (ai 9, capture 7, retouch 4, delivery 2, intake 1); "
        "no rework recorded yet",
    )
    cited = {"focus": 2, "exposure": 1, "fit_distortion": 2, "old_code": 1}
    assert ask(AuditFacts(p, defects_cited=cited), "Are rework reasons")[1].endswith(
        "; failed decisions cited capture 3, retouch 2, retired codes 1"
    )


def test_systematic_checks_need_checklists_and_automated_measurement(p: Policy) -> None:
    assert ask(AuditFacts(p), "Are color, fit") == (
        "partial",
        "gate checklists and defect codes cover colour, fit, styling, AI artifacts; no "
        "automated check result recorded: only reviewers' checklists check them",
    )
    measured = AuditFacts(p, check_results=30, versions_checked=6)
    assert ask(measured, "Are color, fit") == (
        "yes",
        "gate checklists and defect codes cover colour, fit, styling, AI artifacts; 30 "
        "automated check results on 6 versions",
    )
    bare_gate = Gate(
        label="Technical",
        decided_by=("qc_lead",),
        checklist=(ChecklistItem(code="focus", question="Sharp?"),),
        on_fail=OnFail(default="reshoot"),
    )
    focus = Defect(label="Focus", group="capture", gates=("technical",), preventable=False)
    bare = p.model_copy(update={"gates": {"technical": bare_gate}, "defects": {"focus": focus}})
    assert ask(AuditFacts(bare, check_results=5, versions_checked=1), "Are color, fit") == (
        "no",
        "gate checklists and defect codes cover none of them; nothing covers colour, fit, "
        "styling, AI artifacts; 5 automated check results on 1 version",
    )


# asset management


def test_files_have_one_store_and_stages(p: Policy) -> None:
    assert ask(AuditFacts(p), "Is there one source")[0] == "no"
    assert ask(AuditFacts(p), "Are RAW, selects")[0] == "no"
    facts = AuditFacts(
        p, versions_by_kind={"capture": 3, "retouch": 4}, files=6,
        versions_by_stage={"raw": 3, "wip": 2, "final": 2},
    )  # fmt: skip
    assert ask(facts, "Is there one source") == (
        "yes",
        "7 versions stored once each, by content (sha256), in the workspace's file store and "
        "linked to their asset (6 distinct files)",
    )
    assert ask(facts, "Are RAW, selects") == (
        "yes",
        "each version carries one stage: raw 3, final 2, wip 2; select, archive unused",
    )
    flat = AuditFacts(p, versions_by_kind={"retouch": 4}, versions_by_stage={"wip": 4})
    assert ask(flat, "Are RAW, selects") == (
        "partial",
        "each version carries one stage: wip 4; raw, select, final, archive unused",
    )


def test_naming_is_consistent_without_old_names_or_naming_defects(
    p: Policy, policy_data: dict[str, Any]
) -> None:
    assert ask(AuditFacts(p), "Are naming") == (
        "yes",
        "template {sku}_{colorway}_{view}_v{version}.{ext} (+2 channel templates); no "
        "old_naming exception granted, no decision failed for naming",
    )
    drift = AuditFacts(p, old_naming_granted=2, defects_cited={"file_naming": 1, "focus": 3})
    assert ask(drift, "Are naming") == (
        "partial",
        "template {sku}_{colorway}_{view}_v{version}.{ext} (+2 channel templates); 2 old_naming "
        "exceptions granted, 1 decision failed for file naming",
    )
    unnamed = p.model_copy(update={"naming": Naming(template=" ")})
    assert ask(AuditFacts(unnamed), "Are naming") == (
        "no",
        "the policy defines no naming template",
    )
    plain = variant(policy_data, naming={"template": "{sku}_{view}.{ext}"})
    assert ask(AuditFacts(plain), "Are naming")[1].startswith("template {sku}_{view}.{ext}; no")


def test_old_versions_are_marked_and_archived(p: Policy) -> None:
    assert ask(AuditFacts(p), "Are old versions")[0] == "no"
    one_each = AuditFacts(p, versions_by_kind={"capture": 3})
    assert ask(one_each, "Are old versions") == (
        "yes",
        "every version is numbered, immutable and linked to its parent; no version superseded yet",
    )
    kept = AuditFacts(p, versions_by_kind={"capture": 9}, superseded_versions=6)
    assert ask(kept, "Are old versions") == (
        "partial",
        "every version is numbered, immutable and linked to its parent; 0 of 6 superseded "
        "versions (0%) moved to archive",
    )
    archived = AuditFacts(
        p, versions_by_kind={"capture": 9}, superseded_versions=6, superseded_archived=6
    )
    assert ask(archived, "Are old versions")[0] == "yes"


def test_the_approved_final_asset_is_identified(p: Policy) -> None:
    assert ask(AuditFacts(p), "Can teams") == ("no", "no asset approved yet")
    facts = AuditFacts(
        p, assets_approved_now=5, approved_with_version=5, versions_by_stage={"final": 3}
    )
    assert ask(facts, "Can teams") == (
        "yes",
        "all 5 approved, delivered or live assets pointing at their approved version; 3 "
        "marked final on delivery",
    )


# AI governance


def test_ai_rules_come_from_the_tracks(p: Policy) -> None:
    assert ask(AuditFacts(p), "Are there rules") == (
        "yes",
        "ai_usage per track: assist on hero, catalog, marketplace; none on high_complexity; "
        "generate on ai_generated; experimental on ai_experimental (never delivered); AI "
        "output always ends at a human final QC",
    )


def test_ai_workflow_versions_are_named_but_their_inputs_are_not_recorded(p: Policy) -> None:
    assert ask(AuditFacts(p), "Are prompts") == ("no", "no AI output recorded yet")
    facts = AuditFacts(
        p, versions_by_kind={"ai": 4}, ai_versions_named=4, ai_workflows=("a@1", "b@2")
    )
    assert ask(facts, "Are prompts") == (
        "partial",
        "all 4 AI versions naming the workflow version that made them (a@1, b@2); the "
        "prompts, models, LoRAs and reference sets behind a workflow are not recorded",
    )


def test_ai_outputs_pass_human_final_qc(p: Policy) -> None:
    assert ask(AuditFacts(p), "Are AI outputs") == ("no", "no AI output reviewed yet")
    assert ask(AuditFacts(p, ai_versions_reviewed=2), "Are AI outputs") == (
        "partial",
        "2 AI versions reviewed by people, none approved yet",
    )
    facts = AuditFacts(p, ai_versions_reviewed=5, ai_outputs_approved=4, ai_outputs_human_qc=4)
    assert ask(facts, "Are AI outputs") == (
        "yes",
        "all 4 approved AI outputs passed a human final_qc decision (by construction: final "
        "QC of AI output can never be bypassed)",
    )
    gap = AuditFacts(p, ai_versions_reviewed=5, ai_outputs_approved=4, ai_outputs_human_qc=1)
    assert ask(gap, "Are AI outputs")[0] == "no"


def test_ai_rejection_rate_and_faults(p: Policy) -> None:
    assert ask(AuditFacts(p), "Is AI rejection") == ("no", "no AI version reviewed yet")
    assert ask(AuditFacts(p), "Are hallucinations") == (
        "partial",
        "defect codes detail_hallucination, color_mismatch, product_detail_error; no AI "
        "output reviewed yet",
    )
    facts = AuditFacts(
        p, ai_versions_reviewed=6, ai_versions_rejected=2,
        ai_defects={"anatomy_error": 2, "color_mismatch": 1},
    )  # fmt: skip
    assert ask(facts, "Is AI rejection") == (
        "yes",
        "AI rejection rate 33% (2 of 6 reviewed AI versions), by workflow and defect in "
        "`shotline report`",
    )
    assert ask(facts, "Are hallucinations") == (
        "yes",
        "defect codes detail_hallucination, color_mismatch, product_detail_error; defects "
        "cited on 6 reviewed AI versions: anatomy_error 2, color_mismatch 1",
    )
    focus = Defect(label="Focus", group="capture", gates=("technical",), preventable=False)
    colour = Defect(label="Colour", group="retouch", gates=("final_qc",), preventable=False)
    few = p.model_copy(update={"defects": {"focus": focus}})
    assert ask(AuditFacts(few, ai_versions_reviewed=1), "Are hallucinations")[0] == "no"
    some = p.model_copy(update={"defects": {"colour_shift": colour}})
    assert ask(AuditFacts(some, ai_versions_reviewed=1), "Are hallucinations") == (
        "partial",
        "defect codes colour_shift; none for hallucinations, product inaccuracies; defects "
        "cited on 1 reviewed AI version: none",
    )


# metrics


def test_metrics_need_events_to_be_tracked(p: Policy) -> None:
    empty = AuditFacts(p)
    for question in ("Is first-pass", "Is SLA hit", "Is rework rate", "Is cost", "Is shoot"):
        assert ask(empty, question)[0] == "no", question
    facts = AuditFacts(
        p, assets_approved_ever=5, approved_first_pass=3, sla_counted=5, sla_hits=4,
        assets_decided=8, assets_reworked=2, assets_live=2, assets_delivered=3,
    )  # fmt: skip
    assert ask(facts, "Is first-pass") == (
        "yes",
        "first-pass approval 60% (3 of 5 approved assets never failed a gate), from the event "
        "log in `shotline report`",
    )
    assert ask(facts, "Is SLA hit") == (
        "yes",
        "SLA hit rate 80% (4 of 5 assets due or delivered), by category or track in "
        "`shotline report --by category|track`",
    )
    assert ask(facts, "Is rework rate") == (
        "yes",
        "rework rate 25% (2 of 8 reviewed assets failed a gate at least once), with reasons "
        "in `shotline report`",
    )
    assert ask(facts, "Is shoot") == (
        "yes",
        "2 assets went live; shoot-to-live runs from the first capture or AI upload to live, "
        "by stage, in `shotline report`",
    )
    delivered = AuditFacts(p, assets_delivered=3)
    assert ask(delivered, "Is shoot") == (
        "partial",
        "3 assets delivered but none marked live: shoot-to-live ends at the live step",
    )


def test_cost_is_measured_when_work_carries_actual_costs(p: Policy) -> None:
    estimated = AuditFacts(p, versions_by_kind={"capture": 10}, decisions=10)
    assert ask(estimated, "Is cost") == (
        "partial",
        "0 of 10 versions and 0 of 10 decisions carry an actual cost; all are estimated from "
        "the policy's cost model (USD)",
    )
    actual = AuditFacts(
        p, versions_by_kind={"capture": 10}, decisions=10, costed_versions=10, costed_decisions=9
    )
    assert ask(actual, "Is cost") == (
        "yes",
        "10 of 10 versions and 9 of 10 decisions carry an actual cost; the rest are estimated "
        "from the policy's cost model (USD)",
    )


def test_aging_assets_are_visible(p: Policy) -> None:
    assert ask(AuditFacts(p), "Are aging") == ("no", "no assets yet")
    facts = AuditFacts(p, assets=9, open_assets=6, overdue_assets=2, oldest_open_hours=52.9)
    assert ask(facts, "Are aging") == (
        "yes",
        "queues show age and SLA state for each of the 6 open assets; 2 past due; the oldest "
        "has waited 52 h in its state",
    )
    assert ask(AuditFacts(p, assets=3), "Are aging") == (
        "yes",
        "queues show each open asset's age and SLA state; no asset is open now",
    )


def test_vendor_metrics_exist_but_no_review_is_recorded(p: Policy) -> None:
    assert ask(AuditFacts(p), "Are supplier") == ("no", "no vendor in this workspace")
    idle = AuditFacts(p, vendor_retouch={"Pixel Lab": 0})
    assert ask(idle, "Are supplier") == ("no", "no retouch work attributed yet to Pixel Lab")
    busy = AuditFacts(p, vendor_retouch={"Pixel Lab": 4, "Acme": 1})
    assert ask(busy, "Are supplier") == (
        "partial",
        "work is attributed to vendors (Acme 1 retouch version, Pixel Lab 4 retouch versions) "
        "and measured by vendor in `shotline report --by vendor`; nothing records that anyone "
        "reviews it",
    )


# maturity


def _items(yes: int, partial: int, no: int) -> list[AuditItem]:
    counts: dict[Answer, int] = {"yes": yes, "partial": partial, "no": no}
    answers = [answer for answer, n in counts.items() for _ in range(n)]
    return [AuditItem("intake", f"q{i}", a, "e") for i, a in enumerate(answers)]


@pytest.mark.parametrize(
    ("yes", "partial", "no", "level", "label", "score"),
    [
        (0, 0, 0, 1, "ad hoc", 0.0),
        (10, 0, 11, 1, "ad hoc", 0.476),  # most answers are no
        (8, 4, 9, 2, "repeatable", 0.476),
        (9, 1, 10, 2, "repeatable", 0.475),
        (10, 0, 10, 3, "defined", 0.5),  # exactly half no is not "most"
        (13, 1, 6, 3, "defined", 0.675),
        (14, 0, 6, 4, "managed", 0.7),
        (15, 5, 0, 4, "managed", 0.875),
        (18, 0, 2, 4, "managed", 0.9),  # 90% but a "no" left
        (16, 4, 0, 5, "optimised", 0.9),
        (20, 0, 0, 5, "optimised", 1.0),
    ],
)
def test_maturity_thresholds(
    yes: int, partial: int, no: int, level: int, label: str, score: float
) -> None:
    result = maturity(_items(yes, partial, no))
    assert (result.level, result.label, result.score) == (level, label, score)
    assert (result.yes, result.partial, result.no) == (yes, partial, no)
    assert result.meaning


def test_the_report_document_has_every_section_in_order(p: Policy) -> None:
    report = build_report("acme", AuditFacts(p))
    document = report.document()
    assert list(document) == ["workspace", "maturity", "sections"]
    assert document["workspace"] == "acme"
    assert document["maturity"] == {"level": 1, "label": "ad hoc", "score": 0.348}
    assert list(document["sections"]) == list(SEED_CHECKLIST)
    for name, questions in SEED_CHECKLIST.items():
        entries = document["sections"][name]
        assert [e["question"] for e in entries] == questions
        assert all(set(e) == {"question", "answer", "evidence"} for e in entries)
        assert all(e["answer"] in ("yes", "partial", "no") for e in entries)
