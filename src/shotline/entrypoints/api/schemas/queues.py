"""Work queues and each person's own work."""

from __future__ import annotations

import datetime as dt

from shotline.entrypoints.api.schemas.common import View


class QueueItemOut(View):
    """One asset as a queue shows it, with its SLA badge (on_track, at_risk, late)."""

    sku: str
    colorway: str
    view: str
    category: str
    track: str
    complexity: str
    priority: str
    state: str
    gate: str | None
    stage: str | None
    due_at: dt.datetime
    sla_state: str
    age_hours: float
    assignee: str | None
