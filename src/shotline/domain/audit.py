"""The self-audit: the seed's Creative Operations Audit Checklist, answered for a workspace.

Every question gets "yes", "partial" or "no" and the evidence behind the answer, taken from
the active policy (the written standard) and from measured `AuditFacts` (counts the audit
service reads from the database). Nothing here reads a database or a clock.

How questions are answered:
- A question about a written standard (QC standards, gate roles, AI rules...) is answered
  from the policy; the data only adds evidence. Rules the code enforces for every asset
  (a failed checklist item needs a defect code, AI output always ends at a human final QC)
  count, and the evidence says "by construction".
- A question about practice (is it tracked, is it done) needs data: with nothing recorded
  the answer is "no" and the evidence says so. Nothing is assumed.
- A share is "yes" from 95%, "partial" from 50%, otherwise "no" (`YES_SHARE`,
  `PARTIAL_SHARE`).
- What Shotline cannot record (that someone reviews vendor metrics, the prompts and LoRAs
  behind an AI workflow) is never "yes": the evidence names what is missing.

Besides the seed's checklist, Workflow asks the seed's "log exceptions and review them
monthly" (from "Letting every request become an exception").

The maturity scale (`maturity`): score = (yes + partial / 2) / questions.
  1 ad hoc      more than half the answers are "no" (the seed: "If the answer to most of
                these questions is no, the team does not have a scalable creative
                operations system")
  2 repeatable  otherwise, score below 50%
  3 defined     score 50% to below 70%
  4 managed     score 70% or more (and not level 5)
  5 optimised   score 90% or more, with no "no" at all
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from shotline.domain.lifecycle import AssetState
from shotline.domain.policy.model import Policy
from shotline.domain.routing import route

Answer = Literal["yes", "partial", "no"]
ANSWERS: tuple[Answer, ...] = ("yes", "partial", "no")
SECTIONS: dict[str, str] = {
    "intake": "Intake",
    "workflow": "Workflow",
    "quality_control": "Quality Control",
    "asset_management": "Asset Management",
    "ai_governance": "AI Governance",
    "metrics": "Metrics",
}
YES_SHARE = 0.95
PARTIAL_SHARE = 0.5
# The stages a version can be in (the same five the production service accepts).
VERSION_STAGES = ("raw", "select", "wip", "final", "archive")
LEVELS: dict[int, tuple[str, str]] = {
    1: ("ad hoc", "most answers are no: workflows held together by individual effort"),
    2: ("repeatable", "some standards are written and followed; much still rests on people"),
    3: ("defined", "the standards are written and most of the work follows them"),
    4: ("managed", "the work follows the standards and is measured"),
    5: ("optimised", "every practice is in place and measured: improve from the numbers"),
}


@dataclass(frozen=True)
class AuditItem:
    """One checklist question, answered, with the evidence for the answer."""

    section: str
    question: str
    answer: Answer
    evidence: str


@dataclass(frozen=True)
class AuditFacts:
    """What the audit measured in one workspace. Counts are over the whole workspace."""

    policy: Policy
    policy_version: int = 1
    # intake
    requests: int = 0
    requests_needs_info: int = 0
    lines_accepted: int = 0
    lines_rejected: int = 0
    lines_with_deadline: int = 0
    assets: int = 0
    assets_skipping_intake: int = 0
    skip_intake_granted: int = 0
    views: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # category -> view
    # workflow
    asset_states: Mapping[str, int] = field(default_factory=dict)
    asset_tracks: Mapping[str, int] = field(default_factory=dict)
    events: Mapping[str, int] = field(default_factory=dict)  # by event kind
    exceptions_by_month: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    # quality control
    decisions: int = 0
    failed_decisions: int = 0
    failed_with_defects: int = 0
    defects_cited: Mapping[str, int] = field(default_factory=dict)  # in failed decisions
    check_results: int = 0
    versions_checked: int = 0
    # asset management
    versions_by_kind: Mapping[str, int] = field(default_factory=dict)
    versions_by_stage: Mapping[str, int] = field(default_factory=dict)
    files: int = 0  # distinct file contents
    superseded_versions: int = 0
    superseded_archived: int = 0
    assets_approved_now: int = 0  # approved, delivered or live
    approved_with_version: int = 0
    old_naming_granted: int = 0
    # AI governance
    ai_workflows: tuple[str, ...] = ()
    ai_versions_named: int = 0
    ai_outputs_approved: int = 0  # approved, delivered or live with an AI version
    ai_outputs_human_qc: int = 0  # ...of which passed a human final_qc decision
    ai_versions_reviewed: int = 0
    ai_versions_rejected: int = 0
    ai_defects: Mapping[str, int] = field(default_factory=dict)
    # metrics
    assets_approved_ever: int = 0
    approved_first_pass: int = 0
    assets_decided: int = 0
    assets_reworked: int = 0
    sla_counted: int = 0
    sla_hits: int = 0
    costed_versions: int = 0
    costed_decisions: int = 0
    assets_delivered: int = 0
    assets_live: int = 0
    open_assets: int = 0
    overdue_assets: int = 0
    oldest_open_hours: float | None = None
    vendor_retouch: Mapping[str, int] = field(default_factory=dict)  # every vendor, even 0

    @property
    def versions(self) -> int:
        return sum(self.versions_by_kind.values())


Rule = Callable[[AuditFacts], tuple[Answer, str]]


@dataclass(frozen=True)
class Question:
    section: str
    text: str
    rule: Rule


# helpers


def _n(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def _pct(part: int, whole: int) -> str:
    """Rounded down, so that 100% always means all."""
    return f"{100 * part // whole}%"


def _of(part: int, whole: int, singular: str, plural: str | None = None) -> str:
    if part == whole and whole > 1:
        return f"all {_n(whole, singular, plural)}"
    return f"{part} of {_n(whole, singular, plural)} ({_pct(part, whole)})"


def _by_share(part: int, whole: int) -> Answer:
    if whole <= 0:
        return "no"
    share = part / whole
    return "yes" if share >= YES_SHARE else "partial" if share >= PARTIAL_SHARE else "no"


def _listing(counts: Mapping[str, int]) -> str:
    ordered = sorted(((k, v) for k, v in counts.items() if v), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{k} {v}" for k, v in ordered)


def _matching(codes: Sequence[str], keywords: Sequence[str]) -> list[str]:
    return [c for c in codes if any(word in c for word in keywords)]


# intake


def one_intake(f: AuditFacts) -> tuple[Answer, str]:
    if not f.assets:
        return "no", "no assets yet: nothing shows requests entering through intake"
    through = max(f.assets - f.assets_skipping_intake, 0)
    evidence = f"{_pct(through, f.assets)} of {_n(f.assets, 'asset')} entered through intake"
    if f.skip_intake_granted:
        evidence += (
            f"; {_n(f.skip_intake_granted, 'skip_intake exception')} skipped it "
            f"(for {_n(f.assets_skipping_intake, 'asset')})"
        )
    else:
        evidence += "; no skip_intake exception was granted"
    return _by_share(through, f.assets), evidence


def mandatory_fields(f: AuditFacts) -> tuple[Answer, str]:
    p = f.policy
    specific = {x for c in p.categories.values() for x in c.required_fields}
    specific |= {x for path in p.production_paths.values() for x in path.required_fields}
    evidence = (
        f"the policy requires {len(p.intake.required)} fields on every line "
        f"({', '.join(p.intake.required)}) and {len(specific)} category- or path-specific ones"
    )
    lines = f.lines_accepted + f.lines_rejected
    if lines:
        evidence += (
            f"; {_of(f.lines_accepted, lines, 'line')} came complete, "
            f"{f.lines_rejected} rejected before any work started"
        )
    else:
        evidence += "; no request line received yet"
    return ("yes" if p.intake.required else "no"), evidence


CORE_INTAKE = {
    "sku": "SKU",
    "category": "category",
    "colorways": "colorway",
    "channels": "channel",
    "deadline": "deadline",
    "approval_owner": "owner",
}


def core_fields(f: AuditFacts) -> tuple[Answer, str]:
    required = set(f.policy.intake.required)
    have = [label for name, label in CORE_INTAKE.items() if name in required]
    missing = [name for name in CORE_INTAKE if name not in required]
    evidence = f"required on every line: {', '.join(have) or 'none of them'}"
    if missing:
        evidence += f"; optional: {', '.join(CORE_INTAKE[m] for m in missing)}"
    if "deadline" in missing:
        evidence += " (without one, the track's SLA sets the due date)"
        if f.lines_accepted:
            given = _of(f.lines_with_deadline, f.lines_accepted, "accepted line")
            evidence += f"; {given} gave a deadline"
    answer: Answer = "yes" if not missing else "partial" if len(have) >= 3 else "no"
    return answer, evidence


def shot_lists(f: AuditFacts) -> tuple[Answer, str]:
    p = f.policy
    lists = ", ".join(f"{name} {_n(len(c.shot_list), 'view')}" for name, c in p.categories.items())
    evidence = f"{_n(len(p.categories), 'category', 'categories')} with a shot list ({lists})"
    total = sum(sum(views.values()) for views in f.views.values())
    if not total:
        return "yes", evidence + "; no assets yet"
    on_list = sum(
        n
        for category, views in f.views.items()
        if category in p.categories
        for view, n in views.items()
        if view in p.categories[category].shot_list
    )
    evidence += f"; {_of(on_list, total, 'asset')} on a view from their category's shot list"
    return _by_share(on_list, total), evidence


def incomplete_rejected(f: AuditFacts) -> tuple[Answer, str]:
    evidence = (
        "intake rejects every line that misses a required field or breaks a rule and returns "
        "its request as needs_info (by construction)"
    )
    lines = f.lines_accepted + f.lines_rejected
    if f.lines_rejected:
        evidence += (
            f"; {f.lines_rejected} of {_n(lines, 'line')} rejected with their errors, "
            f"{f.requests_needs_info} of {_n(f.requests, 'request')} returned as needs_info"
        )
    else:
        evidence += f"; no incomplete line among {_n(lines, 'line')} so far"
    return "yes", evidence


# workflow


def tracked_to_delivery(f: AuditFacts) -> tuple[Answer, str]:
    if not f.assets:
        return "no", "no assets yet: nothing to track"
    events = sum(f.events.values())
    return "yes", (
        f"{_n(f.assets, 'asset')}, each linked to its request line, with every move since in "
        f"the event log ({_n(events, 'event')}); {f.assets_delivered} delivered so far"
    )


def clear_status(f: AuditFacts) -> tuple[Answer, str]:
    if not f.assets:
        return "no", "no assets yet"
    known = {s.value for s in AssetState}
    with_state = sum(n for state, n in f.asset_states.items() if state in known)
    evidence = (
        f"{_of(with_state, f.assets, 'asset')} in a lifecycle state: {_listing(f.asset_states)}"
    )
    return _by_share(with_state, f.assets), evidence


def paths_defined(f: AuditFacts) -> tuple[Answer, str]:
    p = f.policy
    reads = sorted({name for rule in p.routing for name in rule.when})
    evidence = (
        f"{_n(len(p.tracks), 'track')} ({', '.join(p.tracks)}); routing reads "
        f"{', '.join(reads) or 'nothing'}; {_n(len(p.complexity.rules), 'complexity rule')} "
        "set C1-C4"
    )
    if f.asset_tracks:
        evidence += f"; assets by track: {_listing(f.asset_tracks)}"
    if len(p.tracks) < 2:
        return "no", evidence
    return ("yes" if p.complexity.rules and reads else "partial"), evidence


SEPARATE_PATHS = {"hero": "hero", "batch": "catalog", "AI-generated": "ai_generated"}


def routed_separately(f: AuditFacts) -> tuple[Answer, str]:
    p = f.policy
    tracks: dict[str, str | None] = {}
    for label, path in SEPARATE_PATHS.items():
        fields = {"production_path": path, "complexity": p.complexity.default}
        tracks[label] = route(p, fields) if path in p.production_paths else None
    parts = [
        f"{label} -> {track}" if track else f"{label}: no {SEPARATE_PATHS[label]} path"
        for label, track in tracks.items()
    ]
    distinct = {t for t in tracks.values() if t}
    evidence = "; ".join(parts)
    used = {t: f.asset_tracks.get(t, 0) for t in sorted(distinct)}
    if any(used.values()):
        evidence += f"; assets: {_listing(used)}"
    if len(distinct) == 3:
        return "yes", evidence
    return ("partial" if len(distinct) == 2 else "no"), evidence


def handoffs_documented(f: AuditFacts) -> tuple[Answer, str]:
    e, v = f.events, f.versions_by_kind
    stages = (
        ("studio", v.get("capture", 0) + v.get("ai", 0), "capture or AI upload", None),
        ("retouching", v.get("retouch", 0), "retouch upload", None),
        ("QC", f.decisions, "gate decision", None),
        ("delivery", e.get("delivered", 0), "delivery", "deliveries"),
    )
    done = [_n(n, one, many) for _, n, one, many in stages if n]
    missing = [name for name, n, _, _ in stages if not n]
    if not done:
        return "no", "no handoff recorded yet"
    evidence = "the event log records who handed over what: " + ", ".join(done)
    if e.get("assigned"):
        evidence += f" and {_n(e['assigned'], 'assignment')}"
    if missing:
        evidence += f"; nothing recorded yet for {', '.join(missing)}"
    return ("yes" if not missing else "partial"), evidence


def exceptions_reviewed(f: AuditFacts) -> tuple[Answer, str]:
    threshold = f.policy.workflow.recurring_exceptions
    by_kind: Counter[str] = Counter()
    recurring: set[str] = set()
    for kinds in f.exceptions_by_month.values():
        by_kind.update(kinds)
        recurring |= {k for k, n in kinds.items() if n >= threshold}
    total = sum(by_kind.values())
    if not total:
        if not f.assets:
            return "no", "no assets and no exceptions yet: nothing to review"
        return "yes", f"no exception was needed for {_n(f.assets, 'asset')}"
    evidence = f"{_n(total, 'exception')} logged with reason and decision ({_listing(by_kind)})"
    if recurring:
        evidence += (
            f"; {', '.join(sorted(recurring))} recurred {threshold}+ times in a month: "
            "formalise into the process or stop allowing (`shotline exceptions report`)"
        )
        return "partial", evidence
    return "yes", evidence + f"; no kind recurs {threshold}+ times in a month"


# quality control


def qc_written(f: AuditFacts) -> tuple[Answer, str]:
    p = f.policy
    items = sum(len(g.checklist) for g in p.gates.values())
    evidence = (
        f"policy version {f.policy_version}: {_n(len(p.gates), 'gate')} "
        f"({', '.join(p.gates)}) with {_n(items, 'binary checklist item')} "
        f"and {_n(len(p.defects), 'defect code')}"
    )
    return ("yes" if items else "no"), evidence


def gate_roles(f: AuditFacts) -> tuple[Answer, str]:
    roles = "; ".join(f"{name}: {', '.join(g.decided_by)}" for name, g in f.policy.gates.items())
    evidence = (
        f"{roles}; only these roles may decide, and nobody passes final QC of their own "
        f"version (by construction); {_n(f.decisions, 'decision')} recorded"
    )
    return "yes", evidence


def reasons_logged(f: AuditFacts) -> tuple[Answer, str]:
    if not f.decisions:
        return "no", "no gate decision recorded yet"
    evidence = f"{_n(f.decisions, 'decision')} recorded with their full checklist"
    if not f.failed_decisions:
        return "yes", evidence + "; none failed yet"
    evidence += (
        f"; {_of(f.failed_with_defects, f.failed_decisions, 'failed decision')} with defect "
        "codes (by construction: a failed checklist item needs a defect code)"
    )
    return _by_share(f.failed_with_defects, f.failed_decisions), evidence


def rework_categorised(f: AuditFacts) -> tuple[Answer, str]:
    defects = f.policy.defects
    groups: Counter[str] = Counter(d.group for d in defects.values())
    evidence = (
        f"{_n(len(defects), 'defect code')} in {_n(len(groups), 'group')} ({_listing(groups)})"
    )
    cited: Counter[str] = Counter()
    for code, n in f.defects_cited.items():
        cited[defects[code].group if code in defects else "retired codes"] += n
    if cited:
        evidence += f"; failed decisions cited {_listing(cited)}"
    else:
        evidence += "; no rework recorded yet"
    return ("yes" if defects else "no"), evidence


QC_AREAS: dict[str, tuple[str, ...]] = {
    "colour": ("color", "colour", "white_balance"),
    "fit": ("fit",),
    "styling": ("styling",),
    "AI artifacts": ("ai_", "artifact", "anatomy", "hallucination"),
}


def checked_systematically(f: AuditFacts) -> tuple[Answer, str]:
    p = f.policy
    codes = [i.code for g in p.gates.values() for i in g.checklist] + list(p.defects)
    covered = [area for area, words in QC_AREAS.items() if _matching(codes, words)]
    missing = [area for area in QC_AREAS if area not in covered]
    evidence = f"gate checklists and defect codes cover {', '.join(covered) or 'none of them'}"
    if missing:
        evidence += f"; nothing covers {', '.join(missing)}"
    if f.check_results:
        evidence += (
            f"; {_n(f.check_results, 'automated check result')} on "
            f"{_n(f.versions_checked, 'version')}"
        )
    else:
        evidence += "; no automated check result recorded: only reviewers' checklists check them"
    if not covered:
        return "no", evidence
    return ("yes" if not missing and f.check_results else "partial"), evidence


# asset management


def one_source(f: AuditFacts) -> tuple[Answer, str]:
    if not f.versions:
        return "no", "no files stored yet"
    return "yes", (
        f"{_n(f.versions, 'version')} stored once each, by content (sha256), in the "
        f"workspace's file store and linked to their asset ({_n(f.files, 'distinct file')})"
    )


def stages_separated(f: AuditFacts) -> tuple[Answer, str]:
    if not f.versions:
        return "no", "no versions stored yet"
    used = [s for s in VERSION_STAGES if f.versions_by_stage.get(s)]
    unused = [s for s in VERSION_STAGES if s not in used]
    evidence = f"each version carries one stage: {_listing(f.versions_by_stage)}"
    if unused:
        evidence += f"; {', '.join(unused)} unused"
    return ("yes" if len(used) >= 3 else "partial"), evidence


def naming_consistent(f: AuditFacts) -> tuple[Answer, str]:
    naming = f.policy.naming
    if not naming.template.strip():
        return "no", "the policy defines no naming template"
    evidence = f"template {naming.template}"
    if naming.channels:
        evidence += f" (+{_n(len(naming.channels), 'channel template')})"
    defects = sum(n for code, n in f.defects_cited.items() if "naming" in code)
    problems = []
    if f.old_naming_granted:
        problems.append(f"{_n(f.old_naming_granted, 'old_naming exception')} granted")
    if defects:
        problems.append(f"{_n(defects, 'decision')} failed for file naming")
    if problems:
        return "partial", evidence + "; " + ", ".join(problems)
    return "yes", evidence + "; no old_naming exception granted, no decision failed for naming"


def old_versions_marked(f: AuditFacts) -> tuple[Answer, str]:
    if not f.versions:
        return "no", "no versions stored yet"
    evidence = "every version is numbered, immutable and linked to its parent"
    if not f.superseded_versions:
        return "yes", evidence + "; no version superseded yet"
    archived = _of(f.superseded_archived, f.superseded_versions, "superseded version")
    evidence += f"; {archived} moved to archive"
    return ("yes" if f.superseded_archived == f.superseded_versions else "partial"), evidence


def final_identified(f: AuditFacts) -> tuple[Answer, str]:
    if not f.assets_approved_now:
        return "no", "no asset approved yet"
    approved = _of(
        f.approved_with_version, f.assets_approved_now, "approved, delivered or live asset"
    )
    finals = f.versions_by_stage.get("final", 0)
    evidence = f"{approved} pointing at their approved version; {finals} marked final on delivery"
    return _by_share(f.approved_with_version, f.assets_approved_now), evidence


# AI governance


def ai_rules(f: AuditFacts) -> tuple[Answer, str]:
    by_usage: dict[str, list[str]] = {}
    for name, track in f.policy.tracks.items():
        label = name if track.can_deliver else f"{name} (never delivered)"
        by_usage.setdefault(track.ai_usage, []).append(label)
    rules = "; ".join(f"{usage} on {', '.join(names)}" for usage, names in by_usage.items())
    return "yes", f"ai_usage per track: {rules}; AI output always ends at a human final QC"


def ai_versioned(f: AuditFacts) -> tuple[Answer, str]:
    ai = f.versions_by_kind.get("ai", 0)
    if not ai:
        return "no", "no AI output recorded yet"
    named = _of(f.ai_versions_named, ai, "AI version")
    return "partial", (
        f"{named} naming the workflow version that made them ({', '.join(f.ai_workflows)}); "
        "the prompts, models, LoRAs and reference sets behind a workflow are not recorded"
    )


def ai_human_review(f: AuditFacts) -> tuple[Answer, str]:
    if not f.ai_outputs_approved:
        if f.ai_versions_reviewed:
            return "partial", (
                f"{_n(f.ai_versions_reviewed, 'AI version')} reviewed by people, none approved yet"
            )
        return "no", "no AI output reviewed yet"
    passed = _of(f.ai_outputs_human_qc, f.ai_outputs_approved, "approved AI output")
    evidence = (
        f"{passed} passed a human final_qc decision "
        "(by construction: final QC of AI output can never be bypassed)"
    )
    return _by_share(f.ai_outputs_human_qc, f.ai_outputs_approved), evidence


def ai_rejection_tracked(f: AuditFacts) -> tuple[Answer, str]:
    if not f.ai_versions_reviewed:
        return "no", "no AI version reviewed yet"
    rate = _pct(f.ai_versions_rejected, f.ai_versions_reviewed)
    return "yes", (
        f"AI rejection rate {rate} ({f.ai_versions_rejected} of "
        f"{_n(f.ai_versions_reviewed, 'reviewed AI version')}), by workflow and defect in "
        "`shotline report`"
    )


AI_FAULTS: dict[str, tuple[str, ...]] = {
    "hallucinations": ("hallucination",),
    "colour drift": ("color", "colour"),
    "product inaccuracies": ("product_detail", "detail_error"),
}


def ai_faults_logged(f: AuditFacts) -> tuple[Answer, str]:
    codes = list(f.policy.defects)
    found = {fault: _matching(codes, words) for fault, words in AI_FAULTS.items()}
    coded = [", ".join(c) for c in found.values() if c]
    missing = [fault for fault, c in found.items() if not c]
    if not coded:
        return "no", "no defect code for hallucinations, colour drift or product inaccuracies"
    evidence = f"defect codes {', '.join(coded)}"
    if missing:
        evidence += f"; none for {', '.join(missing)}"
    if not f.ai_versions_reviewed:
        return "partial", evidence + "; no AI output reviewed yet"
    logged = _listing(f.ai_defects) or "none"
    evidence += f"; defects cited on {_n(f.ai_versions_reviewed, 'reviewed AI version')}: {logged}"
    return ("yes" if not missing else "partial"), evidence


# metrics


def first_pass_tracked(f: AuditFacts) -> tuple[Answer, str]:
    if not f.assets_approved_ever:
        return "no", "no asset approved yet"
    rate = _pct(f.approved_first_pass, f.assets_approved_ever)
    return "yes", (
        f"first-pass approval {rate} ({f.approved_first_pass} of "
        f"{_n(f.assets_approved_ever, 'approved asset')} never failed a gate), "
        "from the event log in `shotline report`"
    )


def sla_visible(f: AuditFacts) -> tuple[Answer, str]:
    if not f.sla_counted:
        return "no", "no asset has been due or delivered yet"
    return "yes", (
        f"SLA hit rate {_pct(f.sla_hits, f.sla_counted)} ({f.sla_hits} of "
        f"{_n(f.sla_counted, 'asset')} due or delivered), by category or track in "
        "`shotline report --by category|track`"
    )


def rework_tracked(f: AuditFacts) -> tuple[Answer, str]:
    if not f.assets_decided:
        return "no", "no gate decision recorded yet"
    return "yes", (
        f"rework rate {_pct(f.assets_reworked, f.assets_decided)} ({f.assets_reworked} of "
        f"{_n(f.assets_decided, 'reviewed asset')} failed a gate at least once), with reasons "
        "in `shotline report`"
    )


def cost_measured(f: AuditFacts) -> tuple[Answer, str]:
    work = f.versions + f.decisions
    if not work:
        return "no", "no work recorded yet"
    costed = f.costed_versions + f.costed_decisions
    evidence = (
        f"{f.costed_versions} of {_n(f.versions, 'version')} and {f.costed_decisions} of "
        f"{_n(f.decisions, 'decision')} carry an actual cost; "
        f"{'the rest are' if costed else 'all are'} estimated from the policy's cost model "
        f"({f.policy.costs.currency})"
    )
    return ("yes" if costed / work >= YES_SHARE else "partial"), evidence


def shoot_to_live_measured(f: AuditFacts) -> tuple[Answer, str]:
    if f.assets_live:
        return "yes", (
            f"{_n(f.assets_live, 'asset')} went live; shoot-to-live runs from the first capture "
            "or AI upload to live, by stage, in `shotline report`"
        )
    if f.assets_delivered:
        return "partial", (
            f"{_n(f.assets_delivered, 'asset')} delivered but none marked live: "
            "shoot-to-live ends at the live step"
        )
    return "no", "no asset has gone live yet"


def aging_visible(f: AuditFacts) -> tuple[Answer, str]:
    if not f.assets:
        return "no", "no assets yet"
    if not f.open_assets:
        return "yes", "queues show each open asset's age and SLA state; no asset is open now"
    evidence = (
        f"queues show age and SLA state for each of the {_n(f.open_assets, 'open asset')}; "
        f"{f.overdue_assets} past due"
    )
    if f.oldest_open_hours is not None:
        evidence += f"; the oldest has waited {math.floor(f.oldest_open_hours)} h in its state"
    return "yes", evidence


def vendor_metrics(f: AuditFacts) -> tuple[Answer, str]:
    if not f.vendor_retouch:
        return "no", "no vendor in this workspace"
    if not any(f.vendor_retouch.values()):
        return "no", f"no retouch work attributed yet to {', '.join(sorted(f.vendor_retouch))}"
    work = ", ".join(f"{v} {_n(n, 'retouch version')}" for v, n in sorted(f.vendor_retouch.items()))
    return "partial", (
        f"work is attributed to vendors ({work}) and measured by vendor in "
        "`shotline report --by vendor`; nothing records that anyone reviews it"
    )


QUESTIONS: tuple[Question, ...] = (
    Question("intake", "Is every creative request submitted through one intake process?",
             one_intake),
    Question("intake", "Are mandatory fields required before work starts?", mandatory_fields),
    Question("intake", "Are SKU, category, colorway, channel, deadline, and owner included?",
             core_fields),
    Question("intake", "Are shot lists standardized by product category?", shot_lists),
    Question("intake", "Are incomplete requests rejected or returned for clarification?",
             incomplete_rejected),
    Question("workflow", "Can every asset be tracked from request to delivery?",
             tracked_to_delivery),
    Question("workflow", "Does each asset have a clear status?", clear_status),
    Question("workflow", "Are production paths defined by asset type or complexity?",
             paths_defined),
    Question("workflow", "Are hero, batch, and AI-generated assets routed separately?",
             routed_separately),
    Question("workflow",
             "Are handoffs documented between studio, retouching, QC, and delivery?",
             handoffs_documented),
    Question("workflow", "Are exceptions logged and reviewed monthly?", exceptions_reviewed),
    Question("quality_control", "Are QC standards written down?", qc_written),
    Question("quality_control", "Are review gates assigned to specific roles?", gate_roles),
    Question("quality_control", "Are pass/fail reasons logged?", reasons_logged),
    Question("quality_control", "Are rework reasons categorized?", rework_categorised),
    Question("quality_control",
             "Are color, fit, styling, and AI artifacts checked systematically?",
             checked_systematically),
    Question("asset_management", "Is there one source of truth for files?", one_source),
    Question("asset_management",
             "Are RAW, selects, WIP, final, and archive folders clearly separated?",
             stages_separated),
    Question("asset_management", "Are naming conventions consistent?", naming_consistent),
    Question("asset_management", "Are old versions archived or clearly marked?",
             old_versions_marked),
    Question("asset_management", "Can teams quickly identify the approved final asset?",
             final_identified),
    Question("ai_governance", "Are there rules for where AI can and cannot be used?", ai_rules),
    Question("ai_governance", "Are prompts, models, LoRAs, and reference sets versioned?",
             ai_versioned),
    Question("ai_governance", "Are AI outputs reviewed by humans before delivery?",
             ai_human_review),
    Question("ai_governance", "Is AI rejection rate tracked?", ai_rejection_tracked),
    Question("ai_governance",
             "Are hallucinations, color drift, and product inaccuracies logged?",
             ai_faults_logged),
    Question("metrics", "Is first-pass approval rate tracked?", first_pass_tracked),
    Question("metrics", "Is SLA hit rate visible by category or production path?", sla_visible),
    Question("metrics", "Is rework rate tracked?", rework_tracked),
    Question("metrics", "Is cost per image or cost per SKU measured?", cost_measured),
    Question("metrics", "Is shoot-to-live time measured?", shoot_to_live_measured),
    Question("metrics", "Are aging assets visible in the queue?", aging_visible),
    Question("metrics", "Are supplier or vendor performance metrics reviewed?", vendor_metrics),
)  # fmt: skip


def audit(facts: AuditFacts) -> list[AuditItem]:
    """Every question answered, in checklist order."""
    items = []
    for q in QUESTIONS:
        answer, evidence = q.rule(facts)
        items.append(AuditItem(q.section, q.text, answer, evidence))
    return items


@dataclass(frozen=True)
class Maturity:
    level: int
    label: str
    meaning: str
    score: float  # (yes + partial / 2) / questions, rounded to 3 places
    yes: int
    partial: int
    no: int


def maturity(items: Sequence[AuditItem]) -> Maturity:
    """Where the answers place the workspace on the scale in this module's docstring."""
    counts = Counter(item.answer for item in items)
    total = len(items)
    score = (counts["yes"] + counts["partial"] / 2) / total if total else 0.0
    if not total or counts["no"] * 2 > total:
        level = 1
    elif score < 0.5:
        level = 2
    elif score < 0.7:
        level = 3
    elif score >= 0.9 and not counts["no"]:
        level = 5
    else:
        level = 4
    label, meaning = LEVELS[level]
    return Maturity(
        level, label, meaning, round(score, 3), counts["yes"], counts["partial"], counts["no"]
    )


@dataclass(frozen=True)
class AuditReport:
    """The answered checklist of one workspace and its place on the maturity scale."""

    workspace: str
    items: tuple[AuditItem, ...]
    maturity: Maturity

    def sections(self) -> dict[str, list[AuditItem]]:
        """The items of each section, sections in checklist order."""
        grouped: dict[str, list[AuditItem]] = {name: [] for name in SECTIONS}
        for item in self.items:
            grouped.setdefault(item.section, []).append(item)
        return grouped

    def document(self) -> dict[str, Any]:
        """The JSON document of `shotline audit --json`."""
        m = self.maturity
        return {
            "workspace": self.workspace,
            "maturity": {"level": m.level, "label": m.label, "score": m.score},
            "sections": {
                name: [
                    {"question": i.question, "answer": i.answer, "evidence": i.evidence}
                    for i in items
                ]
                for name, items in self.sections().items()
            },
        }


def build_report(workspace: str, facts: AuditFacts) -> AuditReport:
    """Answer the checklist from the facts and place the workspace on the scale."""
    items = tuple(audit(facts))
    return AuditReport(workspace, items, maturity(items))
