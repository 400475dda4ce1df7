"""Independent read-only queries run side by side, each on its own connection, all reading
the same state of the database.

A month's report at catalog scale is five aggregations over the same period that do not
depend on each other (services/metrics.py); run one after the other they leave all but one
core idle. Here they share out over a few connections:

* PostgreSQL: the first connection opens a REPEATABLE READ transaction and exports its
  snapshot (pg_export_snapshot); the others adopt it (SET TRANSACTION SNAPSHOT) before their
  first query, so every query sees exactly the same committed rows, as one transaction would.
* SQLite: each query reads the database as committed when it starts (WAL mode lets readers
  run beside each other and beside a writer), which is what a read outside an explicit
  transaction already saw on SQLite; a commit landing between two queries can show in one
  and not the other, as it could when they ran one after the other. An engine that keeps
  one connection per thread or one for all (an in-memory database) runs them in turn on the
  caller's connection.

Only the first connection is waited for. The others come from a process-wide allowance
(EXTRA_CONNECTIONS) taken without waiting: several reports at once share it and run on fewer
connections rather than hold some while waiting for more, which could starve the pool.
"""

from __future__ import annotations

import os
import queue
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

from sqlalchemy import Connection, Engine
from sqlalchemy.pool import SingletonThreadPool, StaticPool

Read = Callable[[Connection], None]

# Connections one call may use at once: enough for the report's steps on a few cores.
MAX_CONNECTIONS = 3
# Connections beyond each call's first, for the whole process: with the engine's pool of
# 5 + 10 overflow, plenty is left for everyone else however many reports run at once.
EXTRA_CONNECTIONS = 4
_extra = threading.BoundedSemaphore(EXTRA_CONNECTIONS)
_SNAPSHOT_ID = re.compile(r"^[0-9A-Fa-f-]+$")


def default_connections() -> int:
    """One connection per core, at most MAX_CONNECTIONS."""
    return max(1, min(MAX_CONNECTIONS, os.cpu_count() or 1))


def _one_connection(engine: Engine) -> bool:
    """Whether the engine hands every thread (or each thread) one shared connection, as
    SQLAlchemy does for in-memory SQLite: such a connection cannot move between threads."""
    return isinstance(engine.pool, SingletonThreadPool | StaticPool)


def _share_snapshot(connections: list[Connection]) -> None:
    lead, *others = connections
    for connection in connections:
        connection.execution_options(isolation_level="REPEATABLE READ")
    snapshot = lead.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
    if not _SNAPSHOT_ID.match(str(snapshot)):
        raise RuntimeError(f"unexpected snapshot id from PostgreSQL: {snapshot!r}")
    for connection in others:
        # Must be the transaction's first statement; it takes no bound parameters.
        connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")


def _drain(connection: Connection, jobs: queue.SimpleQueue[Read]) -> None:
    while True:
        try:
            job = jobs.get_nowait()
        except queue.Empty:
            return
        job(connection)


def read_together(engine: Engine, reads: Sequence[Read], connections: int | None = None,
                  caller: Connection | None = None) -> None:  # fmt: skip
    """Run each of `reads` (functions of a connection that only read) once, on up to
    `connections` connections at a time (default_connections() by default), all reading the
    same state (see the module's docstring), and return when all are done. Reads are taken
    in the order given, so put the longest first. An exception in one is raised here, after
    the others have finished; nothing is written either way. `caller` is the connection the
    reads run on, in turn, when the engine cannot give them their own (see _one_connection);
    without it they get one from the engine."""
    wanted = default_connections() if connections is None else connections
    jobs: queue.SimpleQueue[Read] = queue.SimpleQueue()
    for read in reads:
        jobs.put(read)
    if _one_connection(engine):
        if caller is not None:
            _drain(caller, jobs)
            return
        with engine.connect() as connection:
            _drain(connection, jobs)
        return
    extras = 0
    with ExitStack() as stack:
        for _ in range(max(0, min(wanted, len(reads)) - 1)):
            if not _extra.acquire(blocking=False):
                break
            stack.callback(_extra.release)
            extras += 1
        held = [stack.enter_context(engine.connect()) for _ in range(1 + extras)]
        if not extras:
            _drain(held[0], jobs)
            return
        if engine.dialect.name == "postgresql":
            _share_snapshot(held)
        with ThreadPoolExecutor(max_workers=len(held), thread_name_prefix="shotline-read") as pool:
            running = [pool.submit(_drain, connection, jobs) for connection in held]
            for done in running:
                done.result()
