"""The policy pack: a workspace's written standards as validated data."""

from shotline.domain.policy.loader import parse_policy, policy_from_mapping
from shotline.domain.policy.model import (
    COMPLEXITY_CLASSES,
    Channel,
    Gate,
    Policy,
    Track,
)

__all__ = [
    "COMPLEXITY_CLASSES",
    "Channel",
    "Gate",
    "Policy",
    "Track",
    "parse_policy",
    "policy_from_mapping",
]
