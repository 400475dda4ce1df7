"""Settings from the environment, read once by the bootstrap (never at import time)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_WORKSPACE = "default"


@dataclass(frozen=True)
class Settings:
    """Where Shotline keeps its data and which workspace and user the CLI acts for."""

    home: Path
    database_url: str
    workspace: str
    user: str
    # Background jobs go to Redis when set (redis://host:6379/0), else SQLite in `home`.
    redis_url: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """`SHOTLINE_HOME` (default ./.shotline), `SHOTLINE_DATABASE_URL` (default SQLite in
        home), `SHOTLINE_WORKSPACE` (default "default"), `SHOTLINE_USER` (default "admin"),
        `SHOTLINE_REDIS_URL` (default none: the job queue lives in home/queue.db)."""
        env = os.environ if environ is None else environ
        home = Path(env.get("SHOTLINE_HOME") or ".shotline").expanduser().resolve()
        url = env.get("SHOTLINE_DATABASE_URL") or f"sqlite:///{home / 'shotline.db'}"
        return cls(
            home=home,
            database_url=url,
            workspace=env.get("SHOTLINE_WORKSPACE") or DEFAULT_WORKSPACE,
            user=env.get("SHOTLINE_USER") or "admin",
            redis_url=env.get("SHOTLINE_REDIS_URL") or None,
        )
