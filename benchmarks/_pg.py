"""A throwaway PostgreSQL database per benchmark measurement, dropped afterwards."""

from __future__ import annotations

import os
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_ADMIN = os.environ.get(
    "SHOTLINE_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def fresh_postgres(note: str = "") -> tuple[str, str] | None:
    """(name, URL) of a new empty database, or None (with a printed reason) when the server
    cannot be reached: PostgreSQL figures are then skipped, SQLite ones still printed."""
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"shotline_bench_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        print(f"{note}PostgreSQL skipped: {exc}")
        return None
    finally:
        admin.dispose()
    return name, make_url(PG_ADMIN).set(database=name).render_as_string(hide_password=False)


def drop_postgres(name: str) -> None:
    """Drop a database made by `fresh_postgres`, even with connections still open."""
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
