"""One transaction per use case, owned by the service that opened it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, insert
from sqlalchemy.orm import Session, sessionmaker

from shotline.adapters.db.models import Event
from shotline.adapters.db.readers import read_together
from shotline.adapters.storage import BlobStore, StoredBlob
from shotline.domain.events import NewEvent
from shotline.services.projections import project


class JobQueue(Protocol):
    """Where work that follows a commit goes (the QC of new versions); see adapters.queue."""

    def enqueue_qc(self, version_ids: Sequence[int]) -> None:
        """Ask a worker to measure these versions (their qc_runs rows are committed)."""
        ...


class UnitOfWork:
    """`with app.uow() as uow: ...; uow.commit()` — anything not committed is rolled back."""

    session: Session

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        blobs: BlobStore,
        jobs: JobQueue | None = None,
    ) -> None:
        self._factory = session_factory
        self.blobs = blobs
        # None: nothing is enqueued; the rows stay queued for `shotline worker` to sweep up.
        self.jobs = jobs

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        self._events: list[dict[str, Any]] = []
        self._deferred = False
        self._blobs_pending = False
        self._after_commit: list[Callable[[], None]] = []
        # Read-mostly lookups (the active policy) reused within this unit of work.
        self.cache: dict[Any, Any] = {}
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._after_commit = []
        self.session.rollback()
        self.session.close()

    def record(
        self, workspace_id: int, actor_id: int | None, at: dt.datetime, event: NewEvent
    ) -> None:
        """Queue an event; it is written in the same transaction, at commit."""
        self._events.append(
            {
                "workspace_id": workspace_id,
                "actor_id": actor_id,
                "at": at,
                "kind": event.kind.value,
                "payload": event.payload,
                "request_id": event.request_id,
                "asset_id": event.asset_id,
            }
        )

    def flush_events(self) -> None:
        """Write queued events now (bulk), e.g. before a query that must see them."""
        if self._events:
            self.session.execute(insert(Event), self._events)
            # The metric projections follow the log in the same transaction (one hook, so no
            # service can forget; see services/projections.py).
            project(self.session, self._events)
            self._events = []

    def read_together(self, reads: Sequence[Callable[[Connection], None]]) -> None:
        """Run independent read-only queries side by side, each on its own connection, all
        reading one state of the database (adapters/db/readers.py): for reports, which read
        only what is committed, never this unit of work's own pending changes."""
        bind = self.session.get_bind()
        engine = bind if isinstance(bind, Engine) else bind.engine
        read_together(engine, reads, caller=self.session.connection())

    def commit(self) -> None:
        """Write queued events and commit the whole use case at once."""
        self.flush_events()
        if self._deferred:
            self.session.flush()
            return
        if self._blobs_pending:
            # Files must be on disk before the rows that cite them are committed.
            self.blobs.make_durable()
            self._blobs_pending = False
        self.session.commit()
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once this unit of work's changes are committed, never if they roll
        back (in deferred mode: after `commit_deferred`). For work outside the database that
        must see the committed rows, such as enqueueing a job; the callback handles its own
        failures, since the commit cannot be undone."""
        self._after_commit.append(callback)

    def put_blob(self, source: Path) -> StoredBlob:
        """Store a file for a row this unit of work will commit. In deferred mode the sync
        to disk happens once, just before the commit."""
        if not self._deferred:
            return self.blobs.put_file(source)
        self._blobs_pending = True
        return self.blobs.put_file(source, durable=False)

    def defer_commits(self) -> None:
        """Make several use cases one transaction (a replay line that introduces a person and
        then acts): their commits only flush until `commit_deferred`."""
        self._deferred = True

    def commit_deferred(self) -> None:
        """Commit everything the deferred use cases did, at once."""
        self._deferred = False
        self.commit()
