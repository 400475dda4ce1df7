"""AI governance, pure: workflow specs and their fingerprints, status changes, the policy's
AI usage rules, and the numbers that say whether a workflow version is ready to scale
(rejection rate with a Wilson interval, model-update impact, cleanup after AI output)."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from shotline.domain.complexity import condition_holds
from shotline.domain.errors import ShotlineError
from shotline.domain.policy.model import AiReadiness, Policy

EXPERIMENTAL, APPROVED, RETIRED = "experimental", "approved", "retired"
STATUSES = (EXPERIMENTAL, APPROVED, RETIRED)
USAGE_EXCEPTION = "ai_usage"
# Fields that define what a workflow version makes: any change is a new version.
CONTENT_FIELDS = (
    "tool",
    "model",
    "model_version",
    "loras",
    "prompt",
    "reference_set",
    "categories",
    "views",
)
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# Two-sided 95%: the 0.975 quantile of the standard normal distribution.
Z95 = 1.959963984540054


class AiWorkflowError(ShotlineError):
    """A workflow file or reference that cannot be used, with every problem found."""


def _text(value: Any) -> Any:
    # YAML reads `model_version: 1.0` as a float and `version: 2` as an int: keep the text.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _sha256(value: Any) -> Any:
    if isinstance(value, str) and _SHA256.match(value.strip().lower()):
        return value.strip().lower()
    raise ValueError("expected a SHA-256 checksum (64 hex digits)")


def _name(value: Any) -> Any:
    if isinstance(value, str) and _NAME.match(value):
        return value
    raise ValueError("expected a lower-case name (letters, digits, '.', '_', '-'), up to 100")


Text = Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=200)]
Checksum = Annotated[str, BeforeValidator(_sha256)]


class Lora(BaseModel):
    """A LoRA the workflow loads, pinned by its file's checksum."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Text
    version: Text
    sha256: Checksum


class WorkflowSpec(BaseModel):
    """What a workflow version is: tool, model, LoRAs, prompt template, references (asset
    versions by checksum) and the categories and views it may produce (no views: any)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Annotated[str, BeforeValidator(_name)]
    version: int = Field(ge=1)
    tool: Text
    model: Text
    model_version: Annotated[str, BeforeValidator(_text), Field(min_length=1, max_length=100)]
    loras: tuple[Lora, ...] = ()
    prompt: str = Field(min_length=1)
    reference_set: tuple[Checksum, ...] = ()
    categories: tuple[str, ...] = Field(min_length=1)
    views: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"

    def content(self) -> dict[str, Any]:
        """The defining fields, as stored (prompt text included)."""
        data = self.model_dump(include=set(CONTENT_FIELDS))
        data["loras"] = [dict(lora) for lora in data["loras"]]
        data["reference_set"] = list(data["reference_set"])
        data["categories"] = list(data["categories"])
        data["views"] = list(data["views"])
        return data


def _where(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_spec(data: Any, source: str = "workflow") -> WorkflowSpec:
    """Validate a workflow description (parsed YAML or a replay line's `workflow`)."""
    if not isinstance(data, Mapping):
        raise AiWorkflowError(f"{source}: a workflow must be a mapping of its fields")
    try:
        return WorkflowSpec.model_validate(dict(data))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = {"missing": "required", "extra_forbidden": "unknown field"}.get(
                error["type"], str(error["msg"]).removeprefix("Value error, ")
            )
            problems.append(f"{_where(error['loc'])}: {message}")
        lines = "; ".join(problems)
        raise AiWorkflowError(f"{source} has {len(problems)} problem(s): {lines}") from None


def prompt_sha256(prompt: str) -> str:
    return hashlib.sha256(prompt.encode("utf-8")).hexdigest()


def fingerprint(content: Mapping[str, Any]) -> str:
    """SHA-256 of the defining fields in a canonical JSON form."""
    canonical = json.dumps({k: content[k] for k in CONTENT_FIELDS}, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def changed_fields(stored: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The defining fields that differ between a registered version and a new description."""
    return [k for k in CONTENT_FIELDS if stored.get(k) != new.get(k)]


def parse_ref(text: str, version_required: bool = True) -> tuple[str, int | None]:
    """`name@version` -> (name, version); `name` alone when the version may be left out."""
    name, at, number = text.strip().partition("@")
    if at and number.isdigit() and int(number) >= 1 and _NAME.match(name):
        return name, int(number)
    if not at and not version_required and _NAME.match(name):
        return name, None
    shape = "NAME@VERSION" if version_required else "NAME or NAME@VERSION"
    raise AiWorkflowError(f"expected {shape} like model-shots@3, got {text!r}")


_NEXT = {
    (EXPERIMENTAL, APPROVED),
    (EXPERIMENTAL, RETIRED),
    (APPROVED, RETIRED),
}


def check_status_change(ref: str, current: str, target: str) -> bool:
    """True when the change is to be made, False when the workflow is already there;
    refused when the lifecycle (experimental -> approved -> retired) does not allow it."""
    if current == target:
        return False
    if (current, target) not in _NEXT:
        raise AiWorkflowError(f"{ref} is {current}; it cannot become {target}")
    return True


def scope_problems(policy: Policy, spec: WorkflowSpec) -> list[str]:
    """Categories and views a workflow names that the policy does not know."""
    views = {v for c in policy.categories.values() for v in c.shot_list}
    problems = [
        f"unknown category {c!r}; expected some of {', '.join(policy.categories)}"
        for c in spec.categories
        if c not in policy.categories
    ]
    problems += [
        f"unknown view {v!r}: no category's shot list has it" for v in spec.views if v not in views
    ]
    return problems


def ai_refusals(policy: Policy, facts: Mapping[str, str]) -> list[str]:
    """Names of the policy's AI refuse rules that hold for an asset's facts."""
    return [rule.name for rule in policy.ai.refuse if condition_holds(rule.when, facts)]


def experimental_track(policy: Policy) -> str | None:
    """The track experimental AI work goes to: one whose AI usage is experimental and that
    can never deliver."""
    return next(
        (
            name
            for name, track in policy.tracks.items()
            if track.ai_usage == "experimental" and not track.can_deliver
        ),
        None,
    )


# measuring


@dataclass(frozen=True)
class Outcome:
    """One reviewed AI (or studio) version: approved at every gate it met, or rejected."""

    version_id: int
    workflow: str | None
    category: str
    rejected: bool
    defects: tuple[str, ...] = ()


def outcomes(
    decisions: Iterable[tuple[int, bool, Sequence[str]]],
    versions: Mapping[int, tuple[str | None, str]],
) -> list[Outcome]:
    """Per version, from its gate decisions (version id, passed, defects): a version with
    any failed decision is rejected, with the defects of its failed decisions.
    `versions` maps version id -> (workflow reference, category)."""
    failed: dict[int, list[str]] = {}
    seen: dict[int, None] = {}
    for version_id, passed, defects in decisions:
        if version_id not in versions:
            continue
        seen[version_id] = None
        if not passed:
            failed.setdefault(version_id, []).extend(defects)
    return [
        Outcome(
            v,
            versions[v][0],
            versions[v][1],
            v in failed,
            tuple(dict.fromkeys(failed.get(v, ()))),
        )
        for v in seen
    ]


@dataclass(frozen=True)
class Rejections:
    """Rejection rate of reviewed outputs, with its reasons (defect codes, counted once per
    rejected output) and a Wilson 95% interval."""

    reviewed: int
    rejected: int
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        return self.rejected / self.reviewed if self.reviewed else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.rejected, self.reviewed)


def rejections(items: Iterable[Outcome]) -> Rejections:
    items = list(items)
    reasons = Counter(code for o in items if o.rejected for code in o.defects)
    return Rejections(len(items), sum(o.rejected for o in items), dict(reasons.most_common()))


def by_workflow(items: Iterable[Outcome]) -> dict[str, Rejections]:
    groups: dict[str, list[Outcome]] = {}
    for o in items:
        groups.setdefault(o.workflow or "(none)", []).append(o)
    return {w: rejections(os) for w, os in sorted(groups.items())}


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for a proportion (None without observations)."""
    if n <= 0:
        return None
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Readiness:
    """Whether a workflow version is ready to scale, with the evidence."""

    reviewed: int
    rejected: int
    rate: float | None
    interval: tuple[float, float] | None
    min_reviewed: int
    max_rejection_rate: float
    ready: bool
    summary: str


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def readiness(stats: Rejections, rules: AiReadiness) -> Readiness:
    """Ready when at least `min_reviewed` outputs were reviewed and the rejection rate is
    below `max_rejection_rate`. The interval is shown, not used: it says how sure to be."""
    limit = rules.max_rejection_rate
    rate, interval = stats.rate, stats.interval
    figure = ""
    if rate is not None and interval is not None:
        figure = (
            f"{stats.rejected} of {stats.reviewed} rejected ({_pct(rate)}, "
            f"95% CI {_pct(interval[0])}-{_pct(interval[1])})"
        )
    if stats.reviewed < rules.min_reviewed:
        ready = False
        summary = (
            f"not ready: {stats.reviewed} reviewed output(s), fewer than the "
            f"{rules.min_reviewed} the policy asks for" + (f"; {figure}" if figure else "")
        )
    elif rate is not None and rate < limit:
        ready, summary = True, f"ready to scale: {figure}, below {_pct(limit)}"
    else:
        ready, summary = False, f"not ready: {figure}, not below {_pct(limit)}"
    return Readiness(
        stats.reviewed,
        stats.rejected,
        rate,
        interval,
        rules.min_reviewed,
        limit,
        ready,
        summary,
    )


@dataclass(frozen=True)
class Impact:
    """Rejections before and after a model update (one workflow version to the next)."""

    before: str
    after: str
    before_stats: Rejections
    after_stats: Rejections

    @property
    def rate_change(self) -> float | None:
        a, b = self.after_stats.rate, self.before_stats.rate
        return a - b if a is not None and b is not None else None

    def reasons(self) -> list[tuple[str, int, int]]:
        """(defect code, rejections for it before, after), most frequent first."""
        codes = Counter(self.before_stats.reasons) + Counter(self.after_stats.reasons)
        return [
            (c, self.before_stats.reasons.get(c, 0), self.after_stats.reasons.get(c, 0))
            for c, _ in codes.most_common()
        ]


def model_update_impact(versions: Sequence[tuple[str, Rejections]]) -> list[Impact]:
    """Each consecutive pair of a workflow's versions (in version order)."""
    return [Impact(before, after, b, a) for (before, b), (after, a) in itertools.pairwise(versions)]


@dataclass(frozen=True)
class FirstPass:
    """First-pass approval of AI output against studio output of one category."""

    category: str
    ai: Rejections
    studio: Rejections

    @staticmethod
    def share(stats: Rejections) -> float | None:
        return 1 - stats.rejected / stats.reviewed if stats.reviewed else None


def first_pass_by_category(
    ai: Iterable[Outcome], studio: Iterable[Outcome], categories: Iterable[str]
) -> list[FirstPass]:
    ai_list, studio_list = list(ai), list(studio)
    return [
        FirstPass(
            c,
            rejections(o for o in ai_list if o.category == c),
            rejections(o for o in studio_list if o.category == c),
        )
        for c in categories
    ]


@dataclass(frozen=True)
class VersionFact:
    """A version of an asset, as cleanup is counted from."""

    asset_id: int
    at: dt.datetime
    kind: str
    workflow: str | None
    cost: float


@dataclass(frozen=True)
class Cleanup:
    """What AI output of a workflow cost to clean up: retouch versions made on the same
    asset after an AI version (before the next AI version), the hours from the AI upload to
    the last of them, and their cost."""

    ai_versions: int = 0
    retouch_versions: int = 0
    hours: float = 0.0
    cost: float = 0.0


def cleanup(uploads: Iterable[VersionFact]) -> dict[str, Cleanup]:
    by_asset: dict[int, list[VersionFact]] = {}
    for u in uploads:
        by_asset.setdefault(u.asset_id, []).append(u)
    totals: dict[str, list[float]] = {}
    for items in by_asset.values():
        items.sort(key=lambda u: u.at)
        for i, u in enumerate(items):
            if u.kind != "ai":
                continue
            after = []
            for later in items[i + 1 :]:
                if later.kind == "ai":
                    break
                if later.kind == "retouch":
                    after.append(later)
            t = totals.setdefault(u.workflow or "(none)", [0, 0, 0.0, 0.0])
            t[0] += 1
            t[1] += len(after)
            if after:
                t[2] += (after[-1].at - u.at).total_seconds() / 3600
                t[3] += sum(a.cost for a in after)
    return {
        w: Cleanup(int(t[0]), int(t[1]), round(t[2], 2), round(t[3], 2))
        for w, t in sorted(totals.items())
    }
