"""`shotline simulate`: a realistic replay file of a team's month, with images.

Volumes, failure rates by gate, category and complexity, an outside vendor, AI model shots,
blocks, exceptions and some late work. Decisions are drawn at random, but every line obeys
the default policy, so replaying the file through the services succeeds end to end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shotline.domain.ai import USAGE_EXCEPTION, ai_refusals
from shotline.domain.intake.model import AcceptedLine, IntakeTable, RawRow
from shotline.domain.intake.validation import validate_intake
from shotline.domain.policy import Policy
from shotline.domain.review import answers_from_defects, gates_for, judge
from shotline.domain.sla import skill_facts
from shotline.simulation.images import write_png
from shotline.simulation.intake import generate_rows

PEOPLE: dict[str, dict[str, Any]] = {
    "maya.merch": {"roles": ["merchandiser"]},
    "li.merch": {"roles": ["merchandiser"]},
    "pat.producer": {"roles": ["producer"]},
    "eve.ops": {"roles": ["creative_ops_manager"]},
    "sam.photo": {"roles": ["photographer"]},
    "ana.photo": {"roles": ["photographer"]},
    "rita.retouch": {"roles": ["retoucher"]},
    "omar.retouch": {"roles": ["retoucher"]},
    "ravi.pixellab": {"roles": ["retoucher"], "vendor": "Pixel Lab"},
    "mo.pixellab": {"roles": ["retoucher"], "vendor": "Pixel Lab"},
    "quinn.qc": {"roles": ["qc_lead"]},
    "jo.qc": {"roles": ["qc_lead"]},
    "alex.cd": {"roles": ["creative_director"]},
    "kim.dam": {"roles": ["dam_manager"]},
    "nova.ai": {"roles": ["ai_operator"]},
}
DECIDERS = {
    "technical": ["quinn.qc", "jo.qc"],
    "styling_fit": ["alex.cd", "maya.merch"],
    "brand_merch": ["alex.cd", "li.merch"],
    "final_qc": ["quinn.qc", "jo.qc"],
}
AI_WORKFLOW = "model-shots@3"
# The AI workflow owner registers and approves the workflow the AI operator cites; introduced
# on her first line, not by a join (the joins are the team of PEOPLE).
AI_OWNER = "ada.aiowner"
_STAFF: dict[str, dict[str, Any]] = {**PEOPLE, AI_OWNER: {"roles": ["ai_workflow_owner"]}}
AI_WORKFLOW_SPEC: dict[str, Any] = {
    "name": "model-shots",
    "version": 3,
    "tool": "ComfyUI",
    "model": "sdxl-base",
    "model_version": "1.0",
    "loras": [
        {
            "name": "garment-drape",
            "version": "2",
            "sha256": hashlib.sha256(b"garment-drape v2").hexdigest(),
        }
    ],
    "prompt": "studio e-commerce model shot of {product}, {pose}, plain light grey background",
    "reference_set": [],
    "categories": ["apparel", "shoes", "bags", "jewelry"],
}
_BASE_FAIL = {"technical": 0.08, "styling_fit": 0.07, "brand_merch": 0.05, "final_qc": 0.05}
_CLASS_FACTOR = {"C1": 0.7, "C2": 1.0, "C3": 1.5, "C4": 2.0}
_CATEGORY_FACTOR = {"apparel": 1.0, "shoes": 0.8, "bags": 0.8, "jewelry": 1.5}
_AI_DEFECTS = [
    "anatomy_error",
    "garment_deformation",
    "detail_hallucination",
    "lighting_inconsistency",
    "texture_loss",
    "skin_hair_artifact",
    "ai_artifact",
]


@dataclass
class Plan:
    """Actions being written, in any order; sorted by time at the end."""

    out: Path
    rng: random.Random
    policy: Policy
    end: dt.datetime
    actions: list[tuple[dt.datetime, int, dict[str, Any]]] = field(default_factory=list)
    introduced: set[str] = field(default_factory=set)
    uploads: int = 0

    def add(self, at: dt.datetime, actor: str, action: str, **data: Any) -> bool:
        """Queue an action unless it falls after the end of the simulated period."""
        if at > self.end:
            return False
        self.actions.append(
            (
                at,
                len(self.actions),
                {"at": at.isoformat(), "actor": actor, "action": action, **data},
            )
        )
        return True

    def image(self, key: dict[str, str], tag: str) -> str:
        self.uploads += 1
        name = f"images/{key['sku']}_{key['colorway']}_{key['view']}_{self.uploads}_{tag}.png"
        write_png(self.out / name, f"{name}")
        return name

    def write(self, path: Path) -> int:
        """Write actions ordered by time; the first line of each actor names their roles."""
        lines = []
        for _, _, action in sorted(self.actions, key=lambda a: (a[0], a[1])):
            if action["actor"] not in self.introduced:
                self.introduced.add(action["actor"])
                action = {**action, **_STAFF[action["actor"]]}
            lines.append(json.dumps(action, ensure_ascii=False))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return len(lines)


def _working_time(rng: random.Random, day: dt.date) -> dt.datetime:
    hour = rng.randint(14, 21)  # 9:00-16:00 in New York
    return dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59)), dt.UTC)


def _later(rng: random.Random, at: dt.datetime, low: float, high: float) -> dt.datetime:
    return at + dt.timedelta(hours=rng.uniform(low, high))


def simulate(
    out: Path, skus: int, days: int, seed: int, policy: Policy, end: dt.datetime
) -> tuple[Path, int]:
    """Write `out/replay.jsonl` (and its images) covering the `days` before `end`."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    plan = Plan(out, rng, policy, end)
    start = (end - dt.timedelta(days=days)).date()
    # Requests keep arriving to the end, so the last days leave work in every stage.
    intake_days = [start + dt.timedelta(days=d) for d in range(days)]
    intake_days = [d for d in intake_days if d.weekday() < 5] or [start]
    batches: dict[dt.date, int] = {}
    for _ in range(skus):
        day = rng.choice(intake_days)
        batches[day] = batches.get(day, 0) + 1
    first = dt.datetime.combine(start, dt.time(12), dt.UTC)
    for person in PEOPLE:
        plan.add(first, person, "join")
    plan.add(first, AI_OWNER, "ai_register", workflow=AI_WORKFLOW_SPEC)
    plan.add(first, AI_OWNER, "ai_approve", workflow=AI_WORKFLOW)
    made = 0
    for day, count in sorted(batches.items()):
        at = _working_time(rng, day)
        rows = generate_rows(count, seed=rng.randint(0, 10**9), today=day, prefix=f"S{made:05d}")
        made += count
        plan.add(at, rng.choice(["maya.merch", "li.merch"]), "intake", rows=rows)
        table = IntakeTable(
            "sim", "sim", tuple(rows[0]), tuple(RawRow(i + 2, r) for i, r in enumerate(rows))
        )
        for line in validate_intake(table, policy, at).accepted:
            for spec in line.assets():
                key = {"sku": spec.sku, "colorway": spec.colorway, "view": spec.view}
                # Studio capacity: some assets wait days before anyone picks them up.
                _asset_story(plan, line, key, _later(rng, at, 1, rng.choice((30, 30, 90, 200))))
    path = out / "replay.jsonl"
    return path, plan.write(path)


def _asset_story(plan: Plan, line: AcceptedLine, key: dict[str, str], at: dt.datetime) -> None:
    rng = plan.rng
    if rng.random() < 0.01:
        plan.add(at, "pat.producer", "cancel", **key, reason="dropped from the range")
        return
    ai = line.track in ("ai_generated", "ai_experimental")
    vendor = not ai and rng.random() < 0.3
    retoucher = rng.choice(
        ["ravi.pixellab", "mo.pixellab"] if vendor else ["rita.retouch", "omar.retouch"]
    )
    if vendor:
        plan.add(at, "pat.producer", "assign", **key, team="Pixel Lab")
    if ai:
        _ai_usage_exception(plan, line, key, at)
    at = _first_version(plan, key, at, ai, retoucher, block=rng.random() < 0.03)
    for round_ in range(4):
        at, route = _review(plan, line, key, at, ai, force_pass=round_ == 3)
        if route is None:
            break
        at = _rework(plan, key, at, ai, retoucher, reshoot=route == "reshoot")
    if not plan.policy.tracks[line.track].can_deliver:
        return
    at = _later(rng, at, 2, 30)
    if plan.add(at, "kim.dam", "deliver", **key, channels=line.channels):
        plan.add(_later(rng, at, 4, 48), "kim.dam", "live", **key)


def _ai_usage_exception(
    plan: Plan, line: AcceptedLine, key: dict[str, str], at: dt.datetime
) -> None:
    """Work the policy keeps from AI (jewelry, complex fabric, critical colour...) gets AI
    output only under a granted ai_usage exception, asked for before the first version."""
    policy = plan.policy
    facts = skill_facts(line.fields, line.track, line.complexity, line.category, key["view"])
    if USAGE_EXCEPTION in policy.exceptions and ai_refusals(policy, facts):
        plan.add(
            at,
            "pat.producer",
            "exception",
            **key,
            kind=USAGE_EXCEPTION,
            reason="AI model shot agreed with the brand for this product",
            granted_by="eve.ops",
        )


def _generate(plan: Plan, key: dict[str, str], at: dt.datetime, tag: str) -> dt.datetime:
    """An AI model shot from the registered workflow, submitted at once."""
    cost = round(plan.rng.uniform(0.4, 2.0), 2)
    file = plan.image(key, tag)
    plan.add(
        at,
        "nova.ai",
        "upload",
        **key,
        kind="ai",
        file=file,
        submit=True,
        ai_workflow=AI_WORKFLOW,
        cost=cost,
    )
    return at


def _first_version(
    plan: Plan, key: dict[str, str], at: dt.datetime, ai: bool, retoucher: str, block: bool
) -> dt.datetime:
    rng = plan.rng
    if ai:
        return _generate(plan, key, at, "ai")
    photographer = rng.choice(["sam.photo", "ana.photo"])
    plan.add(
        at,
        photographer,
        "upload",
        **key,
        kind="capture",
        file=plan.image(key, "raw"),
        submit=False,
        cost=round(rng.uniform(6, 14), 2),
    )
    if block:
        at = _later(rng, at, 0.5, 2)
        plan.add(at, "pat.producer", "block", **key, reason="sample missing")
        at = _later(rng, at, 8, 60)
        plan.add(at, "pat.producer", "unblock", **key)
    at = _later(rng, at, 2, 30)
    plan.add(
        at,
        retoucher,
        "upload",
        **key,
        kind="retouch",
        file=plan.image(key, "wip"),
        submit=True,
        cost=round(rng.uniform(3, 12), 2),
    )
    return at


def _fail_chance(line: AcceptedLine, gate: str, ai: bool) -> float:
    chance = _BASE_FAIL[gate] * _CLASS_FACTOR[line.complexity] * _CATEGORY_FACTOR[line.category]
    return min(0.6, chance * (2.5 if ai and gate in ("styling_fit", "final_qc") else 1.0))


def _defects(plan: Plan, gate: str, ai: bool) -> list[str]:
    usable = [code for code, d in plan.policy.defects.items() if gate in d.gates]
    if ai:
        usable = [c for c in usable if c in _AI_DEFECTS] or usable
    else:
        usable = [c for c in usable if c not in _AI_DEFECTS] or usable
    return [plan.rng.choice(usable)]


def _review(
    plan: Plan,
    line: AcceptedLine,
    key: dict[str, str],
    at: dt.datetime,
    ai: bool,
    force_pass: bool,
) -> tuple[dt.datetime, str | None]:
    """Walk the gates; returns when it ended and the rework route (None when approved)."""
    rng = plan.rng
    for gate in gates_for(plan.policy, line.track, "ai" if ai else "retouch"):
        at = _later(rng, at, 1, 20)
        reviewer = rng.choice(DECIDERS[gate])
        if gate == "brand_merch" and line.priority == "urgent" and rng.random() < 0.15:
            # Launch pressure: the producer asks to skip brand review; ops usually agrees.
            granted = rng.random() < 0.8
            decider = {"granted_by" if granted else "refused_by": "eve.ops"}
            plan.add(
                at,
                "pat.producer",
                "exception",
                **key,
                kind="bypass_gate",
                reason="launch date moved up",
                **decider,
            )
            if granted:
                plan.add(_later(rng, at, 0.1, 1), "pat.producer", "bypass", **key, gate=gate)
                continue
        if not force_pass and rng.random() < _fail_chance(line, gate, ai):
            defects = _defects(plan, gate, ai)
            plan.add(
                at,
                reviewer,
                "review",
                **key,
                gate=gate,
                result="fail",
                defects=defects,
                comment=f"{gate}: {', '.join(defects)}",
                cost=round(rng.uniform(0.5, 2), 2),
            )
            answers = answers_from_defects(plan.policy, gate, defects)
            verdict = judge(plan.policy, line.track, gate, "ai" if ai else "retouch", answers)
            return at, verdict.route
        plan.add(
            at,
            reviewer,
            "review",
            **key,
            gate=gate,
            result="pass",
            cost=round(rng.uniform(0.3, 1.5), 2),
        )
    return at, None


def _rework(
    plan: Plan, key: dict[str, str], at: dt.datetime, ai: bool, retoucher: str, reshoot: bool
) -> dt.datetime:
    rng = plan.rng
    at = _later(rng, at, 2, 24)
    if ai:
        return _generate(plan, key, at, "rerun")
    if reshoot:
        plan.add(
            at,
            rng.choice(["sam.photo", "ana.photo"]),
            "upload",
            **key,
            kind="capture",
            file=plan.image(key, "reshoot"),
            submit=False,
        )
        at = _later(rng, at, 2, 20)
    plan.add(
        at,
        retoucher,
        "upload",
        **key,
        kind="retouch",
        file=plan.image(key, "fix"),
        submit=True,
        cost=round(rng.uniform(2, 8), 2),
    )
    return at
