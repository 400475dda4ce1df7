"""Cross-reference checks: every name a policy uses must be defined in that policy."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable

from shotline.domain.errors import PolicyIssue
from shotline.domain.intake.fields import CORE_FIELDS
from shotline.domain.policy.model import Category, Channel, Policy, ProductionPath

GATE_ORDER: tuple[str, ...] = ("technical", "styling_fit", "brand_merch", "final_qc")
_ALWAYS_REQUIRED = ("sku", "category", "colorways")
_NAMING_PLACEHOLDERS = frozenset(
    {"sku", "colorway", "view", "version", "ext", "channel", "gtin", "index"}
)


def cross_check(policy: Policy) -> list[PolicyIssue]:
    """Every dangling reference or contradiction in the policy, each with its path."""
    issues: list[PolicyIssue] = []
    issues += _check_intake(policy)
    issues += _check_categories_and_paths(policy)
    issues += _check_conditions(policy)
    issues += _check_tracks(policy)
    issues += _check_gates_and_defects(policy)
    issues += _check_channels(policy)
    issues += _check_calendar(policy)
    issues += _check_naming(policy)
    issues += _check_workflow(policy)
    issues += _check_ai(policy)
    return issues


REQUIRED_EXCEPTION_KINDS = (
    "skip_intake",
    "bypass_gate",
    "override_check",
    "old_naming",
    "move_queue",
)


def _check_workflow(policy: Policy) -> list[PolicyIssue]:
    flow = policy.workflow
    issues: list[PolicyIssue] = []
    for kind, roles in flow.upload_roles.items():
        issues += _unknown(f"workflow.upload_roles.{kind}", roles, policy.roles, "role")
    for key in ("assign_roles", "block_roles", "deliver_roles"):
        issues += _unknown(f"workflow.{key}", getattr(flow, key), policy.roles, "role")
    for name, exception in policy.exceptions.items():
        issues += _unknown(
            f"exceptions.{name}.grant_roles", exception.grant_roles, policy.roles, "role"
        )
    issues += [
        PolicyIssue("exceptions", f"missing exception kind {k!r}")
        for k in REQUIRED_EXCEPTION_KINDS
        if k not in policy.exceptions
    ]
    fields = _condition_fields(policy) | {"track", "view"}
    for name, skill in policy.skills.items():
        issues += _unknown(f"skills.{name}.when", skill.when, fields, "field")
    return issues


def _check_ai(policy: Policy) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    if not policy.ai.human_final_qc:
        issues.append(
            PolicyIssue(
                "ai.human_final_qc",
                "human final QC of AI output cannot be switched off by any policy "
                "(an invariant, not a setting); remove the key",
            )
        )
    fields = _condition_fields(policy) | {"track", "view"}
    for i, rule in enumerate(policy.ai.refuse):
        issues += _unknown(f"ai.refuse[{i}].when", rule.when, fields, "field")
    return issues


def _unknown(path: str, names: Iterable[str], known: Iterable[str], what: str) -> list[PolicyIssue]:
    known_set = set(known)
    return [
        PolicyIssue(path, f"unknown {what} {name!r}") for name in names if name not in known_set
    ]


def _check_intake(policy: Policy) -> list[PolicyIssue]:
    issues = _unknown("intake.required", policy.intake.required, CORE_FIELDS, "core field")
    issues += [
        PolicyIssue("intake.required", f"{name!r} is always required and must be listed")
        for name in _ALWAYS_REQUIRED
        if name not in policy.intake.required
    ]
    issues += _unknown(
        "intake.defaults",
        policy.intake.defaults,
        ("priority", "production_path"),
        "defaultable field",
    )
    issues += _unknown("intake.aliases", policy.intake.aliases, CORE_FIELDS, "core field")
    issues += _unknown("intake.submit_roles", policy.intake.submit_roles, policy.roles, "role")
    clashes = set(policy.fields) & set(CORE_FIELDS)
    issues += [PolicyIssue(f"fields.{n}", "redefines a core intake field") for n in sorted(clashes)]
    for name, spec in policy.fields.items():
        if spec.type == "enum" and not spec.values:
            issues.append(PolicyIssue(f"fields.{name}.values", "an enum field needs values"))
        if spec.must_be is not None and spec.type != "bool":
            issues.append(PolicyIssue(f"fields.{name}.must_be", "only a bool field can must_be"))
    return issues


def _check_categories_and_paths(policy: Policy) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    entries: list[tuple[str, str, Category | ProductionPath]] = [
        ("categories", name, entry) for name, entry in policy.categories.items()
    ]
    entries += [("production_paths", n, e) for n, e in policy.production_paths.items()]
    for section, name, entry in entries:
        for key in ("required_fields", "optional_fields"):
            issues += _unknown(
                f"{section}.{name}.{key}", getattr(entry, key), policy.fields, "field"
            )
    for name, category in policy.categories.items():
        repeated = {v for v in category.shot_list if category.shot_list.count(v) > 1}
        issues += [
            PolicyIssue(f"categories.{name}.shot_list", f"view {v!r} is listed twice")
            for v in sorted(repeated)
        ]
    default_path = policy.intake.defaults.get("production_path")
    if default_path is not None and default_path not in policy.production_paths:
        issues.append(
            PolicyIssue("intake.defaults.production_path", f"unknown path {default_path!r}")
        )
    return issues


def _condition_fields(policy: Policy) -> set[str]:
    # Rules see what routing knows about a line; free text like the SKU or deadline is out.
    usable = set(CORE_FIELDS) - {"sku", "product_name", "deadline", "creative_reference"}
    return usable | set(policy.fields)


def _check_conditions(policy: Policy) -> list[PolicyIssue]:
    fields = _condition_fields(policy)
    issues: list[PolicyIssue] = []
    for i, rule in enumerate(policy.complexity.rules):
        issues += _unknown(f"complexity.rules[{i}].when", rule.when, fields, "field")
    for i, routing in enumerate(policy.routing):
        issues += _unknown(f"routing[{i}].when", routing.when, fields, "field")
        issues += _unknown(f"routing[{i}].track", [routing.track], policy.tracks, "track")
    if policy.routing[-1].when:
        issues.append(PolicyIssue("routing", "the last rule must have no conditions (a default)"))
    return issues


def _check_tracks(policy: Policy) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    for name, track in policy.tracks.items():
        path = f"tracks.{name}"
        issues += _unknown(f"{path}.owner_role", [track.owner_role], policy.roles, "role")
        issues += _unknown(
            f"{path}.escalation_owner", [track.escalation_owner], policy.roles, "role"
        )
        issues += _unknown(f"{path}.gates", track.gates, policy.gates, "gate")
        order = [GATE_ORDER.index(g) for g in track.gates if g in GATE_ORDER]
        if order != sorted(order) or len(set(order)) != len(order):
            issues.append(
                PolicyIssue(f"{path}.gates", f"gates must follow {', '.join(GATE_ORDER)}")
            )
        if "final_qc" not in track.gates:
            issues.append(PolicyIssue(f"{path}.gates", "every track ends with final_qc"))
    return issues


def _check_gates_and_defects(policy: Policy) -> list[PolicyIssue]:
    issues = _unknown("gates", policy.gates, GATE_ORDER, "gate")
    for name, gate in policy.gates.items():
        issues += _unknown(f"gates.{name}.decided_by", gate.decided_by, policy.roles, "role")
        issues += _unknown(
            f"gates.{name}.on_fail.by_defect", gate.on_fail.by_defect, policy.defects, "defect"
        )
        codes = [item.code for item in gate.checklist]
        issues += [
            PolicyIssue(f"gates.{name}.checklist", f"item {c!r} is listed twice")
            for c in sorted({c for c in codes if codes.count(c) > 1})
        ]
    for code, defect in policy.defects.items():
        issues += _unknown(f"defects.{code}.gates", defect.gates, policy.gates, "gate")
    return issues


def _aspect_matches(channel: Channel) -> bool:
    w, h = (int(x) for x in channel.aspect.split(":"))
    return h > 0 and abs(channel.width / channel.height - w / h) < 0.01


def _check_channels(policy: Policy) -> list[PolicyIssue]:
    issues = [
        PolicyIssue(
            f"channels.{name}.aspect",
            f"{channel.width}x{channel.height} is not {channel.aspect}",
        )
        for name, channel in policy.channels.items()
        if not _aspect_matches(channel)
    ]
    for name, channel in policy.channels.items():
        issues += _check_rendition(f"channels.{name}", channel)
    return issues


def _check_rendition(path: str, channel: Channel) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    if channel.min_quality > channel.quality:
        issues.append(
            PolicyIssue(
                f"{path}.min_quality",
                f"{channel.min_quality} is above quality {channel.quality}",
            )
        )
    if channel.min_long_side is not None and max(channel.width, channel.height) < (
        channel.min_long_side
    ):
        issues.append(
            PolicyIssue(
                f"{path}.min_long_side",
                f"{channel.width}x{channel.height} is below {channel.min_long_side} px",
            )
        )
    # fit_product makes the product's longer extent 1 - 2 x margin of the frame.
    fill = 1 - 2 * channel.margin
    if channel.min_fill is not None and channel.fit == "fit_product" and fill < channel.min_fill:
        issues.append(
            PolicyIssue(
                f"{path}.margin",
                f"{channel.margin} leaves the product {fill:.2f} of the frame, "
                f"below min_fill {channel.min_fill}",
            )
        )
    return issues


def _check_calendar(policy: Policy) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    try:
        zoneinfo.ZoneInfo(policy.calendar.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        issues.append(
            PolicyIssue("calendar.timezone", f"unknown timezone {policy.calendar.timezone!r}")
        )
    if policy.calendar.hours.start >= policy.calendar.hours.end:
        issues.append(PolicyIssue("calendar.hours", "start must be before end"))
    return issues


def _placeholders(template: str) -> set[str]:
    import string

    names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    if "" in names:
        raise ValueError("empty placeholder {}; name it, e.g. {sku}")
    return names


def _check_naming(policy: Policy) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    templates = {"naming.template": policy.naming.template}
    templates |= {f"naming.channels.{k}": v for k, v in policy.naming.channels.items()}
    templates |= {
        f"naming.views.{c}.{v}": t
        for c, by_view in policy.naming.views.items()
        for v, t in by_view.items()
    }
    for path, template in templates.items():
        try:
            names = _placeholders(template)
        except ValueError as exc:
            issues.append(PolicyIssue(path, f"bad template: {exc}"))
            continue
        extra = names - _NAMING_PLACEHOLDERS - {"asin_or_sku", "facing", "angle"}
        issues += [PolicyIssue(path, f"unknown placeholder {{{n}}}") for n in sorted(extra)]
    issues += _unknown("naming.channels", policy.naming.channels, policy.channels, "channel")
    issues += _unknown("naming.views", policy.naming.views, policy.channels, "channel")
    return issues
