"""Pydantic model of a policy file. Shape only; cross-references are checked in `checks`."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

COMPLEXITY_CLASSES: tuple[str, ...] = ("C1", "C2", "C3", "C4")
ComplexityClass = Literal["C1", "C2", "C3", "C4"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
AiUsage = Literal["none", "assist", "generate", "experimental"]
ReworkRoute = Literal["reshoot", "ai_rerun", "retouch", "technical_correction"]
FieldType = Literal["text", "enum", "bool"]

_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def _quoted(value: Any) -> str:
    return json.dumps(value, default=str)


def _hours(value: Any) -> float:
    # YAML gives ints/floats for numbers; anything else ("soon", "2d") is a typo worth naming.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("hours", "expected hours, got {got}", {"got": _quoted(value)})
    if value <= 0:
        raise PydanticCustomError(
            "hours", "expected a positive number of hours, got {got}", {"got": _quoted(value)}
        )
    return float(value)


def _code(value: Any) -> str:
    if not isinstance(value, str) or not _CODE.match(value):
        raise PydanticCustomError(
            "code",
            "expected a lower-case code (letters, digits, _), got {got}",
            {"got": _quoted(value)},
        )
    return value


def _clock(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    if isinstance(value, int):  # YAML 1.1 reads 09:00 as sexagesimal 540
        return dt.time(value // 60, value % 60)
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError(
        "clock", "expected a time like 09:00, got {got}", {"got": _quoted(value)}
    )


Hours = Annotated[float, BeforeValidator(_hours)]
Code = Annotated[str, BeforeValidator(_code)]
ClockTime = Annotated[dt.time, BeforeValidator(_clock)]


class Strict(BaseModel):
    """Unknown keys are errors: a typo in a standard must not be silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_text(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value).strip().lower()


class Matcher(Strict):
    """Tests one intake field. Scalars and lists in YAML mean "equals one of"."""

    any_of: tuple[str, ...] = ()
    contains_any: tuple[str, ...] = ()
    not_in: tuple[str, ...] = ()
    present: bool | None = None

    @classmethod
    def coerce(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: [_as_text(x) for x in v] if isinstance(v, list) else v for k, v in value.items()
            }
        if isinstance(value, list):
            return {"any_of": [_as_text(x) for x in value]}
        return {"any_of": [_as_text(value)]}

    def matches(self, value: str | None) -> bool:
        """True when the (normalised, lower-case) field value satisfies every clause."""
        text = (value or "").strip().lower()
        if self.present is not None and bool(text) != self.present:
            return False
        if self.any_of and text not in self.any_of:
            return False
        if self.contains_any and not any(word in text for word in self.contains_any):
            return False
        return not (self.not_in and (not text or text in self.not_in))


Condition = dict[str, Annotated[Matcher, BeforeValidator(Matcher.coerce)]]


class FieldSpec(Strict):
    """A category- or path-specific intake field."""

    label: str = ""
    type: FieldType = "text"
    values: tuple[str, ...] = ()
    must_be: bool | None = None
    aliases: tuple[str, ...] = ()
    help: str = ""


class IntakeRules(Strict):
    """Which core fields are required, extra header aliases, and who may submit."""

    required: tuple[str, ...]
    defaults: dict[str, str] = Field(default_factory=dict)
    aliases: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    submit_roles: tuple[str, ...]


class Category(Strict):
    """A product category: its shot list and the fields its intake lines need."""

    label: str
    shot_list: tuple[Code, ...] = Field(min_length=1)
    required_fields: tuple[str, ...] = ()
    optional_fields: tuple[str, ...] = ()


class ProductionPath(Strict):
    """A production path a requester can ask for, with the fields it needs."""

    label: str
    required_fields: tuple[str, ...] = ()
    optional_fields: tuple[str, ...] = ()


class ComplexityRule(Strict):
    """When every condition holds, the SKU is at least `at_least`."""

    name: str
    when: Condition
    at_least: ComplexityClass


class Complexity(Strict):
    default: ComplexityClass = "C1"
    rules: tuple[ComplexityRule, ...] = ()


class Track(Strict):
    """A production path with its own SLA, gates, owner and AI rule."""

    label: str
    owner_role: str
    escalation_owner: str
    sla: dict[ComplexityClass, Hours]
    gates: tuple[str, ...]
    ai_usage: AiUsage
    can_deliver: bool = True

    @field_validator("sla")
    @classmethod
    def _every_class(cls, value: dict[str, float]) -> dict[str, float]:
        missing = [c for c in COMPLEXITY_CLASSES if c not in value]
        if missing:
            raise PydanticCustomError(
                "sla", "missing SLA hours for {missing}", {"missing": ", ".join(missing)}
            )
        return value


class RoutingRule(Strict):
    """First matching rule picks the track; a rule with no conditions always matches."""

    when: Condition = Field(default_factory=dict)
    track: str


class ChecklistItem(Strict):
    code: Code
    question: str
    # Automated checks (shotline.domain.qc.CHECK_NAMES) whose results pre-fill this item.
    checks: tuple[str, ...] = ()

    @field_validator("checks")
    @classmethod
    def _known_checks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from shotline.domain.qc import CHECK_NAMES  # domain.qc imports this module

        unknown = [c for c in value if c not in CHECK_NAMES]
        if unknown:
            raise PydanticCustomError(
                "check",
                "unknown check {unknown}; expected some of {known}",
                {"unknown": ", ".join(unknown), "known": ", ".join(CHECK_NAMES)},
            )
        return value


class OnFail(Strict):
    """Where a failed gate sends the asset back to, by defect code."""

    default: ReworkRoute
    by_defect: dict[str, ReworkRoute] = Field(default_factory=dict)


class Gate(Strict):
    """A review step with a binary checklist and the roles that decide it."""

    label: str
    decided_by: tuple[str, ...] = Field(min_length=1)
    checklist: tuple[ChecklistItem, ...] = Field(min_length=1)
    on_fail: OnFail


class Defect(Strict):
    """A categorised rework reason."""

    label: str
    group: Literal["intake", "capture", "retouch", "ai", "delivery"]
    gates: tuple[str, ...] = Field(min_length=1)
    preventable: bool


class Channel(Strict):
    """A destination with its image specification."""

    label: str
    width: int = Field(gt=0)
    height: int = Field(gt=0)
    aspect: str
    background: str | None = None
    format: Literal["jpeg", "png", "webp", "tiff"]
    color_space: Literal["sRGB", "AdobeRGB", "DisplayP3"] = "sRGB"
    max_bytes: int = Field(gt=0)
    min_fill: float | None = Field(default=None, gt=0, le=1)
    # How the source is placed in the frame: `fit_product` scales the product's bounding box
    # into the frame less `margin` on each side and pads with `background`; `contain` does
    # the same with the whole image; `cover` fills the frame and crops, centred on the product.
    fit: Literal["fit_product", "contain", "cover"] = "contain"
    margin: float = Field(default=0.0, ge=0, lt=0.5)
    quality: int = Field(default=90, ge=1, le=100)
    # `max_bytes` is met by lowering the quality, never below this.
    min_quality: int = Field(default=70, ge=1, le=100)
    metadata: Literal["keep", "strip"] = "keep"
    # A marketplace's smallest longest side (Amazon: 1,600 px for zoom).
    min_long_side: int | None = Field(default=None, gt=0)
    # Images per SKU and colorway the channel takes (Amazon: 8 secondary images).
    max_images: int | None = Field(default=None, gt=0)

    @field_validator("aspect")
    @classmethod
    def _ratio(cls, value: str) -> str:
        if not re.fullmatch(r"\d+:\d+", value):
            raise PydanticCustomError(
                "aspect", "expected an aspect like 4:5, got {got}", {"got": _quoted(value)}
            )
        return value

    @field_validator("background")
    @classmethod
    def _hex(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
            raise PydanticCustomError(
                "colour", "expected a colour like #FFFFFF, got {got}", {"got": _quoted(value)}
            )
        return value


class BusinessHours(Strict):
    start: ClockTime
    end: ClockTime


class Calendar(Strict):
    """Working days, hours, timezone and holidays: the clock every SLA runs on."""

    timezone: str
    working_days: tuple[Weekday, ...] = Field(min_length=1)
    hours: BusinessHours
    holidays: tuple[dt.date, ...] = ()


class Naming(Strict):
    template: str
    channels: dict[str, str] = Field(default_factory=dict)
    # Templates for one view on one channel (channel -> view -> template), e.g. Amazon's
    # swatch `{asin_or_sku}.SWCH.{ext}` among the PT01..PT08 secondary images.
    views: dict[str, dict[str, str]] = Field(default_factory=dict)


class AssetRules(Strict):
    """What the asset store accepts: the largest image (a decompression bomb is refused on
    its header), and whether a folder upload refuses files whose names do not follow the
    naming template or renames them (keeping the original name on record)."""

    max_pixels: int = Field(default=200_000_000, gt=0)
    nonconforming_names: Literal["refuse", "rename"] = "refuse"


class Role(Strict):
    label: str


class Skill(Strict):
    """A specialist skill and the assets that need it (conditions on intake fields, plus
    `track`, `complexity` and `view`)."""

    label: str
    when: Condition


class ExceptionKind(Strict):
    """A departure from the process that someone may ask for, and who may grant it."""

    label: str
    grant_roles: tuple[str, ...] = Field(min_length=1)
    max_days: int = Field(default=30, gt=0)


VersionKind = Literal["capture", "retouch", "ai"]


def _default_upload_roles() -> dict[VersionKind, tuple[str, ...]]:
    return {
        "capture": ("photographer", "studio_manager"),
        "retouch": ("retoucher", "retouching_lead"),
        "ai": ("ai_operator", "ai_workflow_owner"),
    }


def _by_class(c1: float, c2: float, c3: float, c4: float) -> dict[ComplexityClass, float]:
    return {"C1": c1, "C2": c2, "C3": c3, "C4": c4}


class CostModel(Strict):
    """Estimates for work that carries no actual cost: per capture and retouch version by
    complexity class, per gate decision, per AI generation; vendors at their own rate."""

    currency: str = "USD"
    capture: dict[ComplexityClass, float] = Field(default_factory=lambda: _by_class(8, 12, 18, 28))
    retouch: dict[ComplexityClass, float] = Field(default_factory=lambda: _by_class(4, 7, 12, 20))
    review: float = Field(default=0.75, ge=0)
    ai_generation: float = Field(default=1.2, ge=0)
    # Multiplier on retouch estimates for work done by a vendor, by vendor (team) name.
    vendor_rates: dict[str, float] = Field(default_factory=dict)

    def estimate(self, kind: str, complexity: str, vendor: str | None = None) -> float:
        """Estimated cost of one piece of work: a capture, retouch or ai version, or a review."""
        if kind == "review":
            return self.review
        if kind == "ai":
            return self.ai_generation
        table = self.capture if kind == "capture" else self.retouch
        base = next((v for k, v in table.items() if k == complexity), 0.0)
        return base * (self.vendor_rates.get(vendor, 1.0) if vendor and kind == "retouch" else 1.0)


class Webhook(Strict):
    """Where escalations are sent: Slack-compatible incoming webhook JSON, or a generic JSON
    webhook signed with HMAC-SHA256 using the secret in the named environment variable."""

    kind: Literal["slack", "json"]
    url: str
    secret_env: str | None = None


class Notifications(Strict):
    webhooks: dict[Code, Webhook] = Field(default_factory=dict)
    max_attempts: int = Field(default=6, ge=1)
    # First retry after this many seconds, doubling each time.
    backoff_seconds: float = Field(default=30, gt=0)


def _default_stage_hours() -> dict[str, float]:
    # Small enough that a fresh catalog C1 asset (16 business hours) is not at risk at once.
    return {"capture": 4, "retouch": 4, "review": 1, "delivery": 2}


class SlaRisk(Strict):
    """How long the remaining stages of an asset typically take, in business hours: the
    policy's estimate until `min_samples` finished assets give a p80 from history."""

    stage_hours: dict[Literal["capture", "retouch", "review", "delivery"], Hours] = Field(
        default_factory=_default_stage_hours  # type: ignore[arg-type]
    )
    percentile: float = Field(default=80, gt=0, lt=100)
    min_samples: int = Field(default=20, ge=1)


class Workflow(Strict):
    """Who may do what in production, and when an SLA counts as at risk."""

    upload_roles: dict[VersionKind, tuple[str, ...]] = Field(default_factory=_default_upload_roles)
    assign_roles: tuple[str, ...] = ("producer", "creative_ops_manager", "retouching_lead")
    block_roles: tuple[str, ...] = ("producer", "creative_ops_manager", "studio_manager")
    deliver_roles: tuple[str, ...] = ("dam_manager", "producer")
    # An open asset is at risk when less than this share of its SLA (business hours) is left.
    sla_risk_share: float = Field(default=0.25, gt=0, lt=1)
    # An exception kind asked for this many times in a month is flagged as recurring.
    recurring_exceptions: int = Field(default=3, ge=2)

    def roles_to_upload(self, kind: str) -> tuple[str, ...]:
        """Roles that may upload (and submit) versions of this kind."""
        return next((roles for k, roles in self.upload_roles.items() if k == kind), ())


class AiRule(Strict):
    """Work AI may not touch when every condition holds (intake fields plus `track`,
    `complexity`, `category` and `view`), unless an `ai_usage` exception is granted."""

    name: str
    when: Condition = Field(min_length=1)


class AiReadiness(Strict):
    """When a workflow version counts as ready to scale: its rejection rate over at least
    `min_reviewed` reviewed outputs is below `max_rejection_rate`."""

    min_reviewed: int = Field(default=50, ge=1)
    max_rejection_rate: float = Field(default=0.10, gt=0, lt=1)
    # Off by default: approval shows the evidence and stays the owner's decision.
    required_for_approval: bool = False


class AiRetention(Strict):
    """Files of rejected AI outputs are deleted this many days after the rejection (their
    rows, decisions and events stay); absent: kept forever."""

    rejected_files_days: int | None = Field(default=None, ge=1)


class AiRules(Strict):
    """AI governance. `human_final_qc` exists only so that a policy trying to switch human
    final QC of AI output off is refused by name: it can never be false."""

    human_final_qc: bool = True
    refuse: tuple[AiRule, ...] = ()
    readiness: AiReadiness = Field(default_factory=AiReadiness)
    retention: AiRetention = Field(default_factory=AiRetention)


class QcLimits(Strict):
    """Overrides of the automated checks' thresholds (docs/qc.md lists each default and its
    source); anything left out keeps the default."""

    min_long_side: int | None = Field(default=None, gt=0)
    formats: tuple[Literal["jpeg", "png", "tiff", "webp", "heif", "heic", "raw"], ...] | None = None
    min_bit_depth: int | None = Field(default=None, ge=1, le=32)
    require_profile: bool | None = None
    max_blur_px: float | None = Field(default=None, gt=0)
    max_clipped_percent: float | None = Field(default=None, ge=0, le=100)
    max_crushed_percent: float | None = Field(default=None, ge=0, le=100)
    min_product_lightness: float | None = Field(default=None, ge=0, le=100)
    max_product_lightness: float | None = Field(default=None, ge=0, le=100)
    max_underexposure_ev: float | None = Field(default=None, gt=0)
    max_cast_chroma: float | None = Field(default=None, gt=0)
    max_background_delta_e: float | None = Field(default=None, gt=0)
    background_spot_delta_e: float | None = Field(default=None, gt=0)
    max_background_spots_percent: float | None = Field(default=None, ge=0, le=100)
    max_background_specks: int | None = Field(default=None, ge=0)
    min_fill: float | None = Field(default=None, gt=0, le=1)
    allow_edge_touch: bool | None = None
    aspect_tolerance: float | None = Field(default=None, ge=0, lt=1)
    max_consistency_delta_e: float | None = Field(default=None, gt=0)
    min_silhouette_iou: float | None = Field(default=None, gt=0, le=1)
    max_outline_shift_percent: float | None = Field(default=None, gt=0)
    max_detail_loss_percent: float | None = Field(default=None, gt=0, le=100)
    max_hash_distance: int | None = Field(default=None, ge=0, le=64)
    # Only meaningful per category: the colour-accuracy class its products are held to.
    color_class: Code | None = None

    def overrides(self) -> dict[str, Any]:
        """The thresholds this block sets (not the colour class)."""
        return {k: v for k, v in self.model_dump(exclude_none=True).items() if k != "color_class"}


def _default_color_classes() -> dict[str, float]:
    return {"critical": 2.0, "high": 3.0, "standard": 5.0}


class QcRules(Strict):
    """The automated checks: default limits, ΔE00 tolerance per colour-accuracy class, the
    class every product is held to unless its category (or the intake's colour priority)
    says otherwise, and per-category overrides."""

    limits: QcLimits = Field(default_factory=QcLimits)
    color_classes: dict[Code, float] = Field(default_factory=_default_color_classes)
    color_class: Code = "standard"
    categories: dict[Code, QcLimits] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_classes(self) -> QcRules:
        for where, chosen in [("color_class", self.color_class)] + [
            (f"categories.{name}.color_class", rules.color_class)
            for name, rules in self.categories.items()
        ]:
            if chosen is not None and chosen not in self.color_classes:
                raise ValueError(
                    f"{where}: unknown colour class {chosen!r} "
                    f"(color_classes defines {', '.join(sorted(self.color_classes))})"
                )
        for name, tolerance in self.color_classes.items():
            if tolerance <= 0:
                raise ValueError(f"color_classes.{name}: a ΔE00 tolerance must be positive")
        return self


def _default_exception_kinds() -> dict[str, ExceptionKind]:
    grant = ("creative_ops_manager",)
    return {
        kind: ExceptionKind(label=label, grant_roles=grant)
        for kind, label in (
            ("skip_intake", "Skip intake"),
            ("bypass_gate", "Bypass a review gate"),
            ("override_check", "Override a failed automated check"),
            ("old_naming", "Use an old naming scheme"),
            ("move_queue", "Move work across queues"),
        )
    }


class Policy(Strict):
    """A workspace's complete, versioned standard."""

    name: str
    version: int = Field(ge=1)
    description: str = ""
    roles: dict[Code, Role]
    intake: IntakeRules
    fields: dict[Code, FieldSpec]
    categories: dict[Code, Category] = Field(min_length=1)
    production_paths: dict[Code, ProductionPath] = Field(min_length=1)
    complexity: Complexity
    tracks: dict[Code, Track] = Field(min_length=1)
    routing: tuple[RoutingRule, ...] = Field(min_length=1)
    gates: dict[Code, Gate] = Field(min_length=1)
    defects: dict[Code, Defect] = Field(min_length=1)
    channels: dict[Code, Channel] = Field(min_length=1)
    calendar: Calendar
    naming: Naming
    skills: dict[Code, Skill] = Field(default_factory=dict)
    exceptions: dict[Code, ExceptionKind] = Field(default_factory=_default_exception_kinds)
    workflow: Workflow = Field(default_factory=Workflow)
    costs: CostModel = Field(default_factory=CostModel)
    notifications: Notifications = Field(default_factory=Notifications)
    sla_risk: SlaRisk = Field(default_factory=SlaRisk)
    ai: AiRules = Field(default_factory=AiRules)
    assets: AssetRules = Field(default_factory=AssetRules)
    qc: QcRules = Field(default_factory=QcRules)

    def sla_hours(self, track: str, complexity: str) -> float:
        """Business hours the track allows for a SKU of this complexity class."""
        return self.tracks[track].sla[complexity]  # type: ignore[index]

    def field_spec(self, name: str) -> FieldSpec | None:
        """The policy's definition of a category- or path-specific field, if any."""
        return self.fields.get(name)
