"""The session settings every connection of the application's engine starts with."""

from __future__ import annotations

from sqlalchemy import text

from shotline.adapters.db.engine import make_engine


def test_each_connection_gets_the_settings_shotline_relies_on(database_url: str) -> None:
    """SQLite: WAL and foreign keys. PostgreSQL: no JIT compilation (it cost a month's report
    more time than it saved)."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            else:
                assert conn.execute(text("SHOW jit")).scalar() == "off"
    finally:
        engine.dispose()
