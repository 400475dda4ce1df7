"""Validate intake rows against a policy: every problem of every row, all at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from shotline.domain.calendar import BusinessCalendar
from shotline.domain.complexity import classify
from shotline.domain.intake.cells import CellError, as_bool, as_choice, as_deadline, as_text
from shotline.domain.intake.fields import CORE_FIELDS, PRIORITIES, as_code, header_key, header_map
from shotline.domain.intake.fields import split_list as split_cell
from shotline.domain.intake.model import (
    AcceptedLine,
    CellValue,
    FieldError,
    IntakeResult,
    IntakeTable,
    RawRow,
    RejectedLine,
)
from shotline.domain.policy.model import COMPLEXITY_CLASSES, Policy
from shotline.domain.routing import route

OpenKeys = Collection[tuple[str, str]]


def colorway_key(sku: str, colorway: str) -> tuple[str, str]:
    """Identity of a SKU colorway for duplicate checks: case and outer spaces don't count."""
    return sku.strip(), colorway.strip().casefold()


def policy_header_map(policy: Policy) -> dict[str, str]:
    """Header spellings this policy accepts -> canonical field names."""
    extra: dict[str, tuple[str, ...]] = {n: s.aliases for n, s in policy.fields.items()}
    for name, aliases in policy.intake.aliases.items():
        extra[name] = (*CORE_FIELDS.get(name, ()), *aliases)
    return header_map(extra)


def canonical_rows(table: IntakeTable, policy: Policy) -> tuple[list[RawRow], list[str]]:
    """Rows keyed by canonical field names, plus notes on unknown or repeated columns."""
    mapping = policy_header_map(policy)
    notes: list[str] = []
    columns: dict[str, str] = {}
    for header in table.headers:
        canonical = mapping.get(header_key(header))
        if canonical is None:
            if header.strip():
                notes.append(f"column {header!r} is not an intake field and was ignored")
        elif canonical in columns.values():
            notes.append(f"column {header!r} repeats field {canonical!r} and was ignored")
        else:
            columns[header] = canonical
    rows = [
        RawRow(raw.row, {columns[h]: v for h, v in raw.cells.items() if h in columns})
        for raw in table.rows
    ]
    return rows, notes


def skus_in(table: IntakeTable, policy: Policy) -> set[str]:
    """The SKUs a file names, so a caller can look up which are already open."""
    rows, _ = canonical_rows(table, policy)
    return {as_text(r.cells.get("sku")) for r in rows} - {""}


class _Line:
    """Working state while one row is checked."""

    def __init__(self, raw: RawRow) -> None:
        self.raw = raw
        self.errors: list[FieldError] = []
        self.fields: dict[str, str] = {}

    def text(self, name: str) -> str:
        return as_text(self.raw.cells.get(name))

    def cell(self, name: str) -> CellValue:
        return self.raw.cells.get(name)

    def fail(self, name: str, message: str) -> None:
        self.errors.append(FieldError(name, message))


class IntakeValidator:
    """Checks rows against one policy at one moment (`now`), knowing what is already open."""

    def __init__(self, policy: Policy, now: dt.datetime, open_keys: OpenKeys = ()) -> None:
        self.policy = policy
        self.now = now
        self.calendar = BusinessCalendar(policy.calendar)
        self.open_keys = {colorway_key(s, c) for s, c in open_keys}
        self.seen: dict[tuple[str, str], int] = {}
        self._sla_due: dict[tuple[str, str], dt.datetime] = {}

    def validate(self, table: IntakeTable) -> IntakeResult:
        """Accept or reject every row of the table."""
        rows, notes = canonical_rows(table, self.policy)
        result = IntakeResult(rows=len(rows), accepted=[], rejected=[], notes=notes)
        for raw in rows:
            outcome = self.check_row(raw)
            if isinstance(outcome, AcceptedLine):
                result.accepted.append(outcome)
            else:
                result.rejected.append(outcome)
        return result

    def check_row(self, raw: RawRow) -> AcceptedLine | RejectedLine:
        """Every problem of one row; an accepted line comes back routed and due."""
        line = _Line(raw)
        self._core(line)
        category = self._category(line)
        path = self._production_path(line)
        self._specific_fields(line, category, path)
        colorways = self._colorways(line)
        views = self._views(line, category)
        channels = self._channels(line)
        deadline = self._deadline(line)
        if line.errors:
            return RejectedLine(raw.row, line.text("sku"), self._all_text(line), line.errors)
        assert category is not None and path is not None
        return self._accept(line, category, path, colorways, views, channels, deadline)

    def _all_text(self, line: _Line) -> dict[str, str]:
        return {name: as_text(value) for name, value in line.raw.cells.items()}

    def _core(self, line: _Line) -> None:
        for name in self.policy.intake.required:
            if not line.text(name) and name not in self.policy.intake.defaults:
                line.fail(name, "required field is missing")
        priority = line.text("priority") or self.policy.intake.defaults.get("priority", "normal")
        try:
            line.fields["priority"] = as_choice(priority, PRIORITIES, "priority")
        except CellError as exc:
            line.fail("priority", str(exc))
        override = line.text("complexity")
        if override:
            try:
                line.fields["complexity"] = as_choice(override, COMPLEXITY_CLASSES, "complexity")
            except CellError as exc:
                line.fail("complexity", str(exc))
        for name in ("sku", "product_name", "creative_reference", "approval_owner"):
            line.fields[name] = line.text(name)

    def _category(self, line: _Line) -> str | None:
        text = line.text("category")
        if not text:
            return None
        try:
            category = as_choice(text, tuple(self.policy.categories), "category")
        except CellError as exc:
            line.fail("category", str(exc))
            return None
        line.fields["category"] = category
        return category

    def _production_path(self, line: _Line) -> str | None:
        text = line.text("production_path") or self.policy.intake.defaults.get("production_path")
        if not text:
            return None
        try:
            path = as_choice(text, tuple(self.policy.production_paths), "production path")
        except CellError as exc:
            line.fail("production_path", str(exc))
            return None
        line.fields["production_path"] = path
        return path

    def _specific_fields(self, line: _Line, category: str | None, path: str | None) -> None:
        required: dict[str, str] = {}
        optional: set[str] = set()
        if category is not None:
            entry = self.policy.categories[category]
            required |= {f: f"the {category} category" for f in entry.required_fields}
            optional |= set(entry.optional_fields)
        if path is not None:
            entry_path = self.policy.production_paths[path]
            required |= {f: f"the {path} production path" for f in entry_path.required_fields}
            optional |= set(entry_path.optional_fields)
        for name in [*required, *sorted(optional - set(required))]:
            text = line.text(name)
            if not text:
                if name in required:
                    line.fail(name, f"required for {required[name]}")
                continue
            self._typed_field(line, name, text)

    def _typed_field(self, line: _Line, name: str, text: str) -> None:
        spec = self.policy.fields[name]
        try:
            if spec.type == "bool":
                value = as_bool(text)
                if spec.must_be is not None and (value == "yes") != spec.must_be:
                    raise CellError(f"must be {'yes' if spec.must_be else 'no'}")
            elif spec.type == "enum":
                value = as_choice(text, spec.values, spec.label or name)
            else:
                value = text
        except CellError as exc:
            line.fail(name, str(exc))
            return
        line.fields[name] = value

    def _colorways(self, line: _Line) -> list[str]:
        colorways = split_cell(line.text("colorways"), "colorways")
        sku = line.text("sku")
        if not sku:
            return colorways
        for colorway in colorways:
            key = colorway_key(sku, colorway)
            if key in self.seen:
                line.fail(
                    "colorways",
                    f"SKU {sku} colorway {colorway!r} is already requested on row {self.seen[key]}",
                )
            elif key in self.open_keys:
                line.fail(
                    "colorways",
                    f"SKU {sku} colorway {colorway!r} is already open in this workspace",
                )
            else:
                self.seen[key] = line.raw.row
        return colorways

    def _views(self, line: _Line, category: str | None) -> list[str]:
        if category is None:
            return []
        shot_list = self.policy.categories[category].shot_list
        text = line.text("views")
        if not text:
            return list(shot_list)
        views = list(dict.fromkeys(as_code(v) for v in split_cell(text, "views")))
        for view in views:
            if view not in shot_list:
                line.fail(
                    "views",
                    f"view {view!r} is not in the {category} shot list ({', '.join(shot_list)})",
                )
        return views

    def _channels(self, line: _Line) -> list[str]:
        channels = list(
            dict.fromkeys(as_code(c) for c in split_cell(line.text("channels"), "channels"))
        )
        known = self.policy.channels
        for channel in channels:
            if channel not in known:
                line.fail("channels", f"unknown channel {channel!r}; expected {', '.join(known)}")
        return channels

    def _deadline(self, line: _Line) -> dt.datetime | None:
        if not line.text("deadline"):
            return None
        try:
            deadline = as_deadline(line.cell("deadline"), self.calendar)
        except CellError as exc:
            line.fail("deadline", str(exc))
            return None
        if deadline <= self.now:
            line.fail("deadline", f"deadline {line.text('deadline')} is in the past")
            return None
        return deadline

    def _due_by_sla(self, track: str, complexity: str, sla: float) -> dt.datetime:
        # `now` is fixed for the whole file, so each (track, class) pair has one SLA due time.
        key = (track, complexity)
        if key not in self._sla_due:
            self._sla_due[key] = self.calendar.add_business_hours(self.now, sla)
        return self._sla_due[key]

    def _accept(
        self,
        line: _Line,
        category: str,
        path: str,
        colorways: list[str],
        views: list[str],
        channels: list[str],
        deadline: dt.datetime | None,
    ) -> AcceptedLine:
        facts = {
            **line.fields,
            "colorways": "|".join(colorways),
            "views": "|".join(views),
            "channels": "|".join(channels),
        }
        computed, reasons = classify(self.policy.complexity, facts)
        override = line.fields.get("complexity")
        complexity = override or computed
        warnings: list[str] = []
        if override and COMPLEXITY_CLASSES.index(override) < COMPLEXITY_CLASSES.index(computed):
            warnings.append(
                f"complexity override {override} is below the computed {computed} "
                f"({', '.join(reasons)})"
            )
        track = route(self.policy, {**facts, "complexity": complexity})
        sla = self.policy.sla_hours(track, complexity)
        earliest = self._due_by_sla(track, complexity, sla)
        if deadline is not None and deadline < earliest:
            warnings.append(
                f"deadline {deadline.isoformat()} is tighter than the {track} SLA for "
                f"{complexity} ({sla:g} business hours, due {earliest.isoformat()} otherwise)"
            )
        return AcceptedLine(
            row=line.raw.row,
            sku=line.fields["sku"],
            product_name=line.fields["product_name"],
            category=category,
            colorways=colorways,
            views=views,
            channels=channels,
            priority=line.fields["priority"],
            production_path=path,
            deadline=deadline,
            complexity=complexity,
            complexity_reasons=reasons,
            track=track,
            due=deadline or earliest,
            fields={k: v for k, v in line.fields.items() if v},
            warnings=warnings,
        )


def validate_intake(
    table: IntakeTable, policy: Policy, now: dt.datetime, open_keys: OpenKeys = ()
) -> IntakeResult:
    """Validate a whole intake table at `now` against the policy and the open SKU colorways."""
    return IntakeValidator(policy, now, open_keys).validate(table)
