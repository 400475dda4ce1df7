"""Independent reads side by side (adapters/db/readers.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, text

from shotline.adapters.db import readers
from shotline.adapters.db.engine import make_engine
from shotline.adapters.db.readers import read_together


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    made = make_engine(database_url)
    with made.begin() as conn:
        conn.execute(text("CREATE TABLE reads_probe (n INTEGER)"))
        conn.execute(text("INSERT INTO reads_probe (n) VALUES (1), (2), (3)"))
    yield made
    with made.begin() as conn:
        conn.execute(text("DROP TABLE reads_probe"))
    made.dispose()


def _count(conn: Connection) -> int:
    return int(conn.execute(text("SELECT count(*) FROM reads_probe")).scalar_one())


def test_every_read_runs_once_on_the_connections_given(engine: Engine) -> None:
    seen: list[tuple[int, int]] = []
    connections: set[int] = set()
    lock = threading.Lock()

    def read(i: int) -> None:
        def run(conn: Connection) -> None:
            n = _count(conn)
            with lock:
                seen.append((i, n))
                connections.add(id(conn.connection.dbapi_connection))

        return run

    read_together(engine, [read(i) for i in range(7)], connections=3)
    assert sorted(seen) == [(i, 3) for i in range(7)]
    assert 1 <= len(connections) <= 3


def test_all_reads_see_the_state_of_the_start_on_postgresql(engine: Engine) -> None:
    """A commit made while the reads run: on PostgreSQL no read sees it, as in one
    transaction; on SQLite a read that starts after it does (each read sees what is
    committed when it starts, as reads outside a transaction always did there)."""
    committed = threading.Event()
    counts: list[int] = []

    def first(conn: Connection) -> None:
        counts.append(_count(conn))
        with engine.begin() as other:
            other.execute(text("INSERT INTO reads_probe (n) VALUES (4)"))
        committed.set()

    def second(conn: Connection) -> None:
        assert committed.wait(10)
        counts.append(_count(conn))

    read_together(engine, [first, second], connections=2)
    if engine.dialect.name == "postgresql":
        assert counts == [3, 3]
    else:
        assert counts == [3, 4]


def test_a_failing_read_is_raised_after_the_others_finish(engine: Engine) -> None:
    finished: list[str] = []

    def broken(conn: Connection) -> None:
        conn.execute(text("SELECT * FROM no_such_table"))

    def slow(conn: Connection) -> None:
        _count(conn)
        finished.append("slow")

    with pytest.raises(Exception, match="no_such_table"):
        read_together(engine, [broken, slow, slow], connections=2)
    assert finished == ["slow", "slow"]


def test_without_spare_connections_the_reads_run_in_turn_on_one(engine: Engine) -> None:
    """When concurrent reports hold the whole allowance of extra connections, a report runs
    on its one connection rather than wait for more (waiting could starve the pool)."""
    taken = 0
    while readers._extra.acquire(blocking=False):
        taken += 1
    assert taken == readers.EXTRA_CONNECTIONS
    try:
        connections: set[int] = set()

        def read(conn: Connection) -> None:
            assert _count(conn) == 3
            connections.add(id(conn.connection.dbapi_connection))

        read_together(engine, [read, read, read], connections=3)
        assert len(connections) == 1
    finally:
        for _ in range(taken):
            readers._extra.release()


def test_an_in_memory_database_reads_in_turn_on_one_connection() -> None:
    made = make_engine("sqlite://")
    try:
        with made.begin() as conn:
            conn.execute(text("CREATE TABLE reads_probe (n INTEGER)"))
            conn.execute(text("INSERT INTO reads_probe (n) VALUES (1)"))
        threads: set[int] = set()

        def read(conn: Connection) -> None:
            # Another connection to sqlite:// would be another, empty database.
            assert _count(conn) == 1
            threads.add(threading.get_ident())

        read_together(made, [read, read, read], connections=3)
        assert threads == {threading.get_ident()}
        # Given the caller's connection, the reads run on it, not on one from the pool.
        used: list[Connection] = []
        with made.connect() as mine:
            read_together(made, [used.append, used.append], connections=3, caller=mine)
            assert used == [mine, mine]
    finally:
        made.dispose()
