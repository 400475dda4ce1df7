"""Copy a database filled by benchmarks/_bulk.py from SQLite into a fresh PostgreSQL one.

Filling PostgreSQL row by row through executemany takes about an hour at 1,000,000 assets on
the 2-core machine; COPY takes minutes. The copy is the same data, row for row and id for id,
including the metric projections that `services.projections.project` wrote while the SQLite
database was filled (the tests hold `project` to the same results on both databases), so both
backends are measured on identical histories.

The PostgreSQL schema comes from the migrations, never from SQLite. Secondary indexes are
dropped for the copy and created again from their own definitions; foreign keys are not
checked while copying (session_replication_role = replica), sequences are moved past the
copied ids, then VACUUM ANALYZE, as autovacuum soon would.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from _bulk import _log, finish_postgres, secondary_indexes
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from shotline.adapters.db import migrate

_BATCH = 50_000


@dataclass(frozen=True)
class Copied:
    rows: dict[str, int]
    copy_seconds: float
    index_seconds: float
    finish_seconds: float


def _tables(conn: Connection) -> list[str]:
    rows = conn.execute(
        text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename <> 'alembic_version' ORDER BY tablename"
        )
    )
    return [str(r[0]) for r in rows]


def _has_sequence(conn: Connection, table: str) -> bool:
    query = text("SELECT pg_get_serial_sequence(:t, 'id') IS NOT NULL")
    return "id" in _columns(conn, table) and bool(conn.execute(query, {"t": table}).scalar())


def _columns(conn: Connection, table: str) -> list[str]:
    rows = conn.execute(
        text(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = "
            "current_schema() AND table_name = :t ORDER BY ordinal_position"
        ),
        {"t": table},
    )
    return [str(r[0]) for r in rows]


def copy_sqlite_to_postgres(sqlite_url: str, postgres_url: str, log: bool = True) -> Copied:
    """Migrate the empty PostgreSQL database at `postgres_url` and copy every table of the
    SQLite database at `sqlite_url` into it."""
    engine = create_engine(postgres_url)
    migrate.upgrade(engine)
    source = sqlite3.connect(make_url(sqlite_url).database or "")
    counts: dict[str, int] = {}
    started = time.perf_counter()
    with engine.connect() as conn:
        # Stored times on SQLite are UTC without an offset: read them as UTC.
        conn.execute(text("SET TIME ZONE 'UTC'"))
        conn.execute(text("SET session_replication_role = replica"))
        conn.execute(text("SET synchronous_commit = off"))
        tables = _tables(conn)
        indexes = secondary_indexes(conn, tuple(tables))
        for name, _ in indexes:
            conn.execute(text(f'DROP INDEX "{name}"'))
        conn.execute(text(f"TRUNCATE {', '.join(tables)}"))
        raw = conn.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        for table in tables:
            have = {r[1] for r in source.execute(f'PRAGMA table_info("{table}")')}
            columns = [c for c in _columns(conn, table) if c in have]
            listed = ", ".join(f'"{c}"' for c in columns)
            rows = source.execute(f'SELECT {listed} FROM "{table}"')
            n = 0
            with cursor.copy(f'COPY "{table}" ({listed}) FROM STDIN') as copy:
                while batch := rows.fetchmany(_BATCH):
                    for row in batch:
                        copy.write_row(row)
                    n += len(batch)
            counts[table] = n
            if log and n >= 100_000:
                _log(f"  ... copied {table}: {n:,} rows, {time.perf_counter() - started:.0f} s")
        conn.commit()
        copied = time.perf_counter() - started
        start = time.perf_counter()
        for _, statement in indexes:
            conn.execute(text(statement))
        conn.commit()
        indexed = time.perf_counter() - start
        start = time.perf_counter()
        # Only tables whose id is a serial column have a sequence to move.
        finish_postgres(conn, tuple(t for t in tables if _has_sequence(conn, t)))
    source.close()
    engine.dispose()
    return Copied(counts, copied, indexed, time.perf_counter() - start)
