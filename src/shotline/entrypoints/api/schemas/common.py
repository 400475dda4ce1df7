"""Bases shared by every area's schemas."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Document(BaseModel):
    """The typed mirror of a document a service returns as a dict. Unknown keys are refused,
    so a key added to the service fails the API tests instead of silently vanishing."""

    model_config = ConfigDict(extra="forbid")


class View(BaseModel):
    """A response built from a service's dataclass, field by field."""

    model_config = ConfigDict(from_attributes=True)


class ErrorOut(BaseModel):
    """Every refused request: one message written for the person who sent it."""

    detail: str


class Health(BaseModel):
    status: str
