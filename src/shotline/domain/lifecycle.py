"""Asset states. The transition table arrives with the production workflow; intake needs the
states to know which work is still open."""

from __future__ import annotations

from enum import StrEnum


class AssetState(StrEnum):
    REQUESTED = "requested"
    IN_CAPTURE = "in_capture"
    IN_GENERATION = "in_generation"
    IN_RETOUCH = "in_retouch"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    DELIVERED = "delivered"
    LIVE = "live"
    BLOCKED = "blocked"
    ON_HOLD = "on_hold"
    CANCELLED = "cancelled"


# A SKU colorway with an asset in any other state is "open": a new request for it is refused.
CLOSED_STATES: frozenset[AssetState] = frozenset({AssetState.LIVE, AssetState.CANCELLED})
