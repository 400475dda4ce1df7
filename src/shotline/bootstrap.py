"""Wiring: the one place that builds engines and session factories from settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from shotline.adapters.db.engine import make_engine, make_session_factory
from shotline.adapters.queue import HueyJobs
from shotline.adapters.storage import BlobStore, LocalBlobStore
from shotline.config import Settings
from shotline.services.unit_of_work import UnitOfWork


@dataclass
class App:
    """Everything an entry point needs to call services."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    blobs: BlobStore
    # Background jobs (QC of new versions); None: uploads leave their QC runs queued.
    jobs: HueyJobs | None = None

    def uow(self) -> UnitOfWork:
        """A fresh unit of work (one transaction) for one user action."""
        return UnitOfWork(self.session_factory, self.blobs, self.jobs)

    def close(self) -> None:
        """Release database connections."""
        self.engine.dispose()


def build(settings: Settings) -> App:
    """Build the application for these settings (SQLite + local files by default)."""
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    jobs = HueyJobs.from_settings(settings)
    app = App(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        blobs=LocalBlobStore(settings.home / "blobs"),
        jobs=jobs,
    )
    jobs.bind(app.uow)
    return app
