"""The metrics report document (services.metrics.build_report, defined in docs/metrics.md)."""

from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field

from shotline.entrypoints.api.schemas.common import Document


class ShootToLive(Document):
    p50: float | None
    p90: float | None
    assets: int
    stages_p50: dict[str, float | None]
    histogram: dict[str, int]


class WorkflowRejection(Document):
    rejected: int
    reviewed: int
    rate: float


class Summary(Document):
    """Every metric for one set of assets over one period."""

    assets_approved: int
    assets_delivered: int
    first_pass_approval_rate: float | None
    rework_rate: float | None
    avg_rework_rounds: float | None
    rework_reasons: dict[str, int]
    preventable_rework_share: float | None
    sla_hit_rate: float | None
    shoot_to_live_hours: ShootToLive
    cost_total: float
    cost_estimated_share: float | None
    cost_per_image: float | None
    cost_per_sku: float | None
    ai_rejection_rate: float | None
    ai_versions_reviewed: int
    ai_rejections_by_defect: dict[str, int]
    ai_rejection_by_workflow: dict[str, WorkflowRejection]
    throughput: dict[str, dict[str, int]]


class Period(Document):
    # "from" is a Python keyword: the field is from_, the JSON key stays "from".
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    from_: dt.datetime = Field(alias="from")
    to: dt.datetime


class Report(Summary):
    """The summary of the period, and one summary per slice of the dimension asked for
    (`by` maps that dimension to its slices; empty without one)."""

    period: Period
    by: dict[str, dict[str, Summary]]
