"""Gate decisions: a binary checklist, defect codes, comment and regions of the image."""

from __future__ import annotations

from pydantic import BaseModel, Field

from shotline.domain.review import Annotation, ItemAnswer
from shotline.services.review import Decision, DecisionResult


class AnswerIn(BaseModel):
    """One checklist item; a failed item names its defect codes."""

    item: str
    passed: bool
    defects: list[str] = Field(default_factory=list)


class AnnotationIn(BaseModel):
    """A region of the version under review, in pixels."""

    x: float = Field(ge=0, allow_inf_nan=False)
    y: float = Field(ge=0, allow_inf_nan=False)
    w: float = Field(gt=0, allow_inf_nan=False)
    h: float = Field(gt=0, allow_inf_nan=False)
    note: str = ""


class DecisionIn(BaseModel):
    """What a reviewer submits: every item of the gate's checklist answered once."""

    gate: str
    answers: list[AnswerIn]
    comment: str = ""
    annotations: list[AnnotationIn] = Field(default_factory=list)
    override_reason: str | None = None
    cost: float | None = Field(default=None, ge=0, allow_inf_nan=False)

    def decision(self) -> Decision:
        """The service's value object for this body."""
        return Decision(
            gate=self.gate,
            answers=[ItemAnswer(a.item, a.passed, tuple(a.defects)) for a in self.answers],
            comment=self.comment,
            annotations=[Annotation(a.x, a.y, a.w, a.h, a.note) for a in self.annotations],
            override_reason=self.override_reason,
            cost=self.cost,
        )


class DecisionOut(BaseModel):
    """Where the asset went: the next gate, approval, or back along a rework route."""

    decision_id: int
    passed: bool
    asset_state: str
    next_gate: str | None
    route: str | None
    defects: list[str]
    rework_rounds: int

    @classmethod
    def of(cls, result: DecisionResult) -> DecisionOut:
        """The response for a service result."""
        return cls(
            decision_id=result.decision_id,
            passed=result.passed,
            asset_state=result.asset_state,
            next_gate=result.next_gate,
            route=result.route,
            defects=list(result.defects),
            rework_rounds=result.rework_rounds,
        )
