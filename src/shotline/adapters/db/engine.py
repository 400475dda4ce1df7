"""Engine construction: SQLite in WAL mode with foreign keys on; PostgreSQL via psycopg 3,
without JIT compilation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # NORMAL is durable across application crashes in WAL mode and much faster than FULL.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine for `url`, creating the SQLite file's folder when needed."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # JIT off for Shotline's sessions: the report's queries over a month at catalog scale
    # cross PostgreSQL's jit_above_cost, and compiling them took longer than running them
    # (+0.4 s on a month's report; benchmarks/metrics_scale.py).
    return create_engine(url, pool_pre_ping=True, connect_args={"options": "-c jit=off"})


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (services return them)."""
    return sessionmaker(engine, expire_on_commit=False)
