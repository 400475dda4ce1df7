"""Replay: apply a JSON-lines file of timestamped actions through the same services as the
CLI and API, every rule enforced, the clock taken from each line's `at`."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shotline.bootstrap import App
from shotline.domain.access import Actor
from shotline.domain.ai import parse_spec
from shotline.domain.errors import NotFound, ShotlineError
from shotline.domain.events import EventKind, NewEvent
from shotline.domain.intake.model import IntakeTable, RawRow
from shotline.domain.review import Annotation, answers_from_defects
from shotline.services import ai, exceptions, intake, production, review, workspaces
from shotline.services.assets import AssetKey, find_asset
from shotline.services.policies import load_active_policy
from shotline.services.unit_of_work import UnitOfWork


class ReplayLineError(ShotlineError):
    """A line that cannot be applied, with its line number."""

    def __init__(self, line: int, reason: str) -> None:
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}")


class LineFailed(Exception):
    """Line `index` of a batch failed; the lines before it were committed."""

    def __init__(self, index: int, error: Exception) -> None:
        super().__init__(str(error))
        self.index = index
        self.error = error


@dataclass
class ReplayResult:
    applied: int = 0
    failed: list[ReplayLineError] = field(default_factory=list)
    by_action: dict[str, int] = field(default_factory=dict)


@dataclass
class Line:
    """One parsed action."""

    number: int
    at: dt.datetime
    actor: str
    action: str
    data: dict[str, Any]

    def key(self) -> AssetKey:
        try:
            return AssetKey(
                str(self.data["sku"]), str(self.data["colorway"]), str(self.data["view"])
            )
        except KeyError as missing:
            raise ShotlineError(
                f"{self.action} needs sku, colorway and view ({missing} missing)"
            ) from None

    def flag(self, name: str) -> bool:
        value = self.data.get(name, False)
        if not isinstance(value, bool):
            raise ShotlineError(f"{name!r} must be true or false, got {value!r}")
        return value

    def codes(self, name: str) -> list[str]:
        value = self.data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ShotlineError(f"{name!r} must be a list of strings, got {value!r}")
        return value

    def amount(self, name: str) -> float | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ShotlineError(f"{name!r} must be a number, got {value!r}")
        return float(value)

    def text(self, name: str, default: str | None = None) -> str:
        value = self.data.get(name, default)
        if value is None:
            raise ShotlineError(f"{self.action} needs {name!r}")
        return str(value)


def parse_line(number: int, raw: str) -> Line:
    """Parse and check the envelope of one line (`at`, `actor`, `action`)."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ReplayLineError(number, f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ReplayLineError(number, "each line must be a JSON object")
    missing = [k for k in ("at", "actor", "action") if not data.get(k)]
    if missing:
        raise ReplayLineError(number, f"missing {', '.join(missing)}")
    try:
        at = dt.datetime.fromisoformat(str(data["at"]))
    except ValueError:
        raise ReplayLineError(number, f"'at' is not an ISO datetime: {data['at']!r}") from None
    if at.tzinfo is None:
        raise ReplayLineError(number, "'at' needs a timezone offset (e.g. Z or +01:00)")
    return Line(number, at.astimezone(dt.UTC), str(data["actor"]), str(data["action"]), data)


class Replayer:
    """Applies lines one by one; each line is one user action in its own transaction."""

    def __init__(self, app: App, workspace: str, base: Path) -> None:
        self.app = app
        self.workspace = workspace
        self.base = base
        self.actors: dict[str, Actor] = {}
        self.pending: dict[str, Actor] = {}
        self.handlers: dict[str, Callable[[Line, UnitOfWork], None]] = {
            "intake": self._intake,
            "upload": self._upload,
            "submit": self._submit,
            "review": self._review,
            "deliver": self._deliver,
            "live": self._live,
            "block": self._block,
            "unblock": self._resume,
            "hold": self._hold,
            "resume": self._resume,
            "cancel": self._cancel,
            "assign": self._assign,
            "exception": self._exception,
            "join": self._join,
            "bypass": self._bypass,
            "ai_register": self._ai_register,
            "ai_approve": self._ai_approve,
            "ai_retire": self._ai_retire,
        }

    def apply_batch(self, lines: list[Line]) -> None:
        """Apply lines in one transaction (commits dominate replay time). If line k fails,
        everything is rolled back, lines before k are applied again and committed, and
        `LineFailed(k)` is raised: each line still lands whole or not at all."""
        self.pending = {}
        done = 0
        try:
            with self.app.uow() as uow:
                uow.defer_commits()
                for line in lines:
                    self._handler(line)(line, uow)
                    done += 1
                uow.commit_deferred()
        except (ShotlineError, TypeError, ValueError) as exc:
            if done:
                self.apply_batch(lines[:done])
            raise LineFailed(done, exc) from None
        self.actors.update(self.pending)

    def _handler(self, line: Line) -> Callable[[Line, UnitOfWork], None]:
        handler = self.handlers.get(line.action)
        if handler is None:
            raise ShotlineError(
                f"unknown action {line.action!r}; expected {', '.join(self.handlers)}"
            )
        return handler

    def actor(self, line: Line, uow: UnitOfWork, name: str | None = None) -> Actor:
        username = name or line.actor
        known = self.actors.get(username) or self.pending.get(username)
        if known is not None:
            return known
        try:
            found = workspaces.resolve_actor(uow, self.workspace, username)
        except NotFound:
            found = self._create(line, uow, username)
        self.pending[username] = found
        return found

    def _create(self, line: Line, uow: UnitOfWork, username: str) -> Actor:
        roles = line.data.get("roles") if username == line.actor else None
        if not roles:
            raise ShotlineError(f'unknown actor {username!r}; give their roles in a "roles" list')
        admin = workspaces.resolve_actor(uow, self.workspace, workspaces.ADMIN_USER)
        # "team" on an assign line is the assignee, so a person's own team has its own key.
        team, vendor = line.data.get("member_of"), line.data.get("vendor")
        return workspaces.add_user(
            uow, admin, username, roles, line.at, team=vendor or team, vendor=bool(vendor)
        )

    def _join(self, line: Line, uow: UnitOfWork) -> None:
        """Introduce a person (with "roles", and "vendor" or "member_of") before they act."""
        self.actor(line, uow)

    def _intake(self, line: Line, uow: UnitOfWork) -> None:
        rows = line.data.get("rows")
        if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
            raise ShotlineError("intake needs a non-empty 'rows' list of objects")
        headers = tuple(dict.fromkeys(k for r in rows for k in r))
        digest = hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()
        table = IntakeTable(
            f"replay line {line.number}",
            digest,
            headers,
            tuple(RawRow(i + 2, r) for i, r in enumerate(rows)),
        )
        intake.import_intake(uow, self.actor(line, uow), table, line.at)

    def _upload(self, line: Line, uow: UnitOfWork) -> None:
        path = (self.base / line.text("file")).resolve()
        cost = line.amount("cost")
        upload = production.Upload(
            path,
            line.text("kind"),
            stage=line.data.get("stage"),
            ai_workflow=line.data.get("ai_workflow"),
            cost=cost,
        )
        production.upload_version(
            uow,
            self.actor(line, uow),
            line.key(),
            upload,
            line.at,
            submit=line.flag("submit"),
        )

    def _submit(self, line: Line, uow: UnitOfWork) -> None:
        production.submit_version(uow, self.actor(line, uow), line.key(), line.at)

    def _review(self, line: Line, uow: UnitOfWork) -> None:
        actor, gate = self.actor(line, uow), line.text("gate")
        result = line.text("result")
        if result not in ("pass", "fail"):
            raise ShotlineError(f"review result must be pass or fail, got {result!r}")
        defects = line.codes("defects")
        if result == "fail" and not defects:
            raise ShotlineError("a failed review needs defect codes")
        policy = load_active_policy(uow, actor.workspace_id).policy
        if gate not in policy.gates:
            raise ShotlineError(f"unknown gate {gate!r}")
        answers = answers_from_defects(
            policy, gate, defects if result == "fail" else [], line.codes("failed_items")
        )
        regions = [Annotation(**r) for r in line.data.get("regions", [])]
        cost = line.amount("cost")
        decision = review.Decision(
            gate,
            answers,
            str(line.data.get("comment", "")),
            regions,
            line.data.get("override_reason"),
            cost,
        )
        review.decide_gate(uow, actor, line.key(), decision, line.at)

    def _ai_register(self, line: Line, uow: UnitOfWork) -> None:
        spec = parse_spec(line.data.get("workflow"), "ai_register 'workflow'")
        ai.register_workflow(uow, self.actor(line, uow), spec, line.at)

    def _ai_approve(self, line: Line, uow: UnitOfWork) -> None:
        ai.approve_workflow(uow, self.actor(line, uow), line.text("workflow"), line.at)

    def _ai_retire(self, line: Line, uow: UnitOfWork) -> None:
        ai.retire_workflow(uow, self.actor(line, uow), line.text("workflow"), line.at)

    def _bypass(self, line: Line, uow: UnitOfWork) -> None:
        review.bypass_gate(uow, self.actor(line, uow), line.key(), line.text("gate"), line.at)

    def _deliver(self, line: Line, uow: UnitOfWork) -> None:
        channels = line.codes("channels")
        production.deliver(uow, self.actor(line, uow), line.key(), channels, line.at)

    def _live(self, line: Line, uow: UnitOfWork) -> None:
        production.go_live(uow, self.actor(line, uow), line.key(), line.at)

    def _block(self, line: Line, uow: UnitOfWork) -> None:
        production.block(uow, self.actor(line, uow), line.key(), line.text("reason"), line.at)

    def _hold(self, line: Line, uow: UnitOfWork) -> None:
        production.hold(uow, self.actor(line, uow), line.key(), line.text("reason"), line.at)

    def _resume(self, line: Line, uow: UnitOfWork) -> None:
        production.resume(uow, self.actor(line, uow), line.key(), line.at)

    def _cancel(self, line: Line, uow: UnitOfWork) -> None:
        production.cancel(uow, self.actor(line, uow), line.key(), line.text("reason", ""), line.at)

    def _assign(self, line: Line, uow: UnitOfWork) -> None:
        from shotline.services import assignment

        user, team = line.data.get("to"), line.data.get("team")
        if bool(user) == bool(team):
            raise ShotlineError("assign needs exactly one of 'to' (a user) or 'team'")
        assignment.assign(
            uow, self.actor(line, uow), [line.key()], line.at, username=user, team=team
        )

    def _exception(self, line: Line, uow: UnitOfWork) -> None:
        actor = self.actor(line, uow)
        asset_id = find_asset(uow, actor, line.key()).id
        exception_id = exceptions.request_exception(
            uow,
            actor,
            line.text("kind"),
            line.text("reason"),
            [asset_id],
            line.at,
            days=None if line.amount("days") is None else int(line.amount("days") or 0),
        )
        decider = line.data.get("granted_by") or line.data.get("refused_by")
        if decider:
            exceptions.decide_exception(
                uow,
                self.actor(line, uow, str(decider)),
                exception_id,
                "granted_by" in line.data,
                "",
                line.at,
            )


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open(encoding="utf-8") as handle:
        for number, raw in enumerate(handle, start=1):
            if raw.strip():
                yield number, raw


def record_failure(app: App, workspace: str, error: ReplayLineError, at: dt.datetime) -> None:
    """Keep a skipped line in the event log, so `--continue` never loses anything silently."""
    with app.uow() as uow:
        admin = workspaces.resolve_actor(uow, workspace, workspaces.ADMIN_USER)
        payload = {"line": error.line, "reason": error.reason}
        uow.record(
            admin.workspace_id, admin.user_id, at, NewEvent(EventKind.REPLAY_LINE_FAILED, payload)
        )
        uow.commit()


def _parsed(path: Path) -> Iterator[Line | ReplayLineError]:
    for number, raw in _lines(path):
        try:
            yield parse_line(number, raw)
        except ReplayLineError as exc:
            yield exc


class _Run:
    """One replay: queues lines into batches and deals with failures as they surface."""

    def __init__(
        self,
        app: App,
        workspace: str,
        path: Path,
        keep_going: bool,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.app, self.workspace, self.keep_going, self.progress = (
            app,
            workspace,
            keep_going,
            progress,
        )
        self.replayer = Replayer(app, workspace, path.parent)
        self.result = ReplayResult()
        self.queue: list[Line] = []
        self.last_at = dt.datetime.now(dt.UTC)

    def add(self, line: Line, batch: int) -> None:
        self.last_at = line.at
        self.queue.append(line)
        if len(self.queue) >= batch:
            self.drain()

    def drain(self) -> None:
        while self.queue:
            try:
                self.replayer.apply_batch(self.queue)
            except LineFailed as failure:
                bad = self.queue[failure.index]
                self._tally(self.queue[: failure.index])
                self.queue = self.queue[failure.index + 1 :]
                error = failure.error
                if not isinstance(error, ReplayLineError):
                    error = ReplayLineError(bad.number, str(error))
                self.fail(error)
                continue
            self._tally(self.queue)
            self.queue = []

    def fail(self, error: ReplayLineError) -> None:
        if not self.keep_going:
            raise error
        self.result.failed.append(error)
        record_failure(self.app, self.workspace, error, self.last_at)

    def _tally(self, lines: list[Line]) -> None:
        for line in lines:
            self.result.applied += 1
            self.result.by_action[line.action] = self.result.by_action.get(line.action, 0) + 1
            if self.progress:
                self.progress(line.number)


def replay_file(
    app: App,
    workspace: str,
    path: Path,
    keep_going: bool = False,
    progress: Callable[[int], None] | None = None,
    batch: int = 200,
) -> ReplayResult:
    """Apply every line in order, up to `batch` lines per transaction. A line that breaks a
    rule stops the replay (lines before it are kept, nothing after it is applied) unless
    `keep_going`, which records the failure and goes on."""
    run = _Run(app, workspace, path, keep_going, progress)
    for item in _parsed(path):
        if isinstance(item, ReplayLineError):
            run.drain()
            run.fail(item)
        else:
            run.add(item, batch)
    run.drain()
    return run.result
