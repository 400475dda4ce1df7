"""Background jobs on Huey: SQLite storage in $SHOTLINE_HOME by default, Redis when
$SHOTLINE_REDIS_URL is set.

The database stays the truth. A job only says "measure these versions"; the `qc_runs` rows
say what is queued, running, done or failed. A job lost with a worker that died is found by
the sweeper (`requeue_lost`, run every minute by every consumer) and enqueued again, and
running a job twice is harmless: a worker claims a run with a conditional UPDATE, and the
results of a version are replaced in one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from huey import Huey, PriorityRedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from shotline.config import Settings

if TYPE_CHECKING:
    from shotline.bootstrap import App
    from shotline.services.qc import Checker
    from shotline.services.unit_of_work import UnitOfWork

QUEUE_NAME = "shotline"
QC_TASK = "shotline.qc"
SWEEP_TASK = "shotline.requeue_lost"
# One upload (a person waiting at the review page) goes before a replayed or simulated batch.
INTERACTIVE_PRIORITY = 10
BULK_PRIORITY = 0

log = logging.getLogger("shotline.queue")


def make_huey(settings: Settings, immediate: bool = False) -> Huey:
    """The Huey for these settings: Redis (with priorities) when configured, else SQLite."""
    if settings.redis_url:
        return PriorityRedisHuey(
            QUEUE_NAME, results=False, url=settings.redis_url, immediate=immediate
        )
    settings.home.mkdir(parents=True, exist_ok=True)
    # Results are in the database; Huey keeps none (they would pile up in its kv table).
    return SqliteHuey(
        QUEUE_NAME,
        results=False,
        filename=str(settings.home / "queue.db"),
        immediate=immediate,
    )


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class HueyJobs:
    """Shotline's job queue on one Huey instance (created on first use, so commands that
    never enqueue never touch the queue). Jobs run services against the bound app."""

    def __init__(
        self,
        huey_factory: Callable[[], Huey],
        checker: Checker | None = None,
        clock: Callable[[], dt.datetime] = _utcnow,
    ) -> None:
        self._factory = huey_factory
        self._huey: Huey | None = None
        self._lock = threading.Lock()
        self._uows: Callable[[], UnitOfWork] | None = None
        self.checker = checker
        self.clock = clock
        self._qc: Any = None
        self._sweep: Any = None

    @classmethod
    def from_settings(cls, settings: Settings, immediate: bool = False) -> HueyJobs:
        """The queue `settings` describe; `immediate` runs each job at once, in-process."""
        return cls(lambda: make_huey(settings, immediate))

    def bind(self, uows: Callable[[], UnitOfWork]) -> None:
        """Where jobs get their units of work (the app's `uow`)."""
        self._uows = uows

    @property
    def huey(self) -> Huey:
        """The Huey instance, with Shotline's tasks registered on it."""
        with self._lock:
            if self._huey is None:
                huey = self._factory()
                self._qc = huey.task(name=QC_TASK)(self._run_qc)
                self._sweep = huey.periodic_task(crontab(minute="*"), name=SWEEP_TASK)(self.sweep)
                self._huey = huey
            return self._huey

    def enqueue_qc(self, version_ids: Sequence[int]) -> None:
        """Ask a worker to measure these versions (one job for the lot). Never raises: the
        rows are committed and stay queued, so the sweeper enqueues them again later."""
        ids = [int(v) for v in version_ids]
        if not ids:
            return
        priority = INTERACTIVE_PRIORITY if len(ids) == 1 else BULK_PRIORITY
        try:
            huey = self.huey  # registers the task
            huey.enqueue(self._qc.s(ids, priority=priority))
        except Exception:
            # The queue is down (Redis unreachable, disk full): the database still says
            # "queued", which is what the sweeper goes by.
            log.exception("could not enqueue QC of versions %s; the sweeper will retry", ids)

    def pending(self) -> int:
        """Jobs waiting in the queue (not counting ones a worker is running)."""
        return int(self.huey.pending_count())

    def sweep(self) -> list[int]:
        """Find runs whose job was lost and enqueue them again; the versions concerned."""
        from shotline.services import qc

        with self._app_uow() as uow:
            return qc.requeue_lost(uow, self.clock(), queue_empty=self.pending() == 0)

    def _run_qc(self, version_ids: list[int]) -> None:
        from shotline.services import qc

        for version_id in version_ids:
            qc.run_qc(self._app_uow, version_id, checker=self.checker, clock=self.clock)

    def _app_uow(self) -> UnitOfWork:
        if self._uows is None:
            raise RuntimeError("the job queue is not bound to an app")
        return self._uows()

    def drain(self) -> int:
        """Run every job waiting in the queue in this thread, until it is empty; how many
        ran. For `shotline worker --drain` and scripts that want results before going on."""
        huey = self.huey
        ran = 0
        while True:
            task = huey.dequeue()
            if task is None:
                return ran
            huey.execute(task)
            ran += 1

    def run_until_idle(self, clock: Callable[[], dt.datetime] | None = None) -> int:
        """Run every waiting job here, then every run the database still has queued once the
        queue is empty (its job was lost) or left running past the timeout by a worker that
        died; how many jobs ran (`shotline worker --drain`, scripts, tests)."""
        from shotline.services import qc

        ran = self.drain()
        with self._app_uow() as uow:
            lost = qc.requeue_lost(
                uow, (clock or self.clock)(), queue_empty=True, queued_grace=dt.timedelta(0)
            )
        return ran + (self.drain() if lost else 0)

    def consumer(self, workers: int = 1, periodic: bool = True) -> Consumer:
        """A Huey consumer for this queue (threads: QC spends its time in libvips and numpy,
        which release the GIL). Polls at most every second when idle."""
        import pyvips

        # libvips' operation cache would keep decoded masters alive between jobs (memory
        # grows with concurrency) and could serve a replaced file under the same name.
        pyvips.cache_set_max(0)
        return _Consumer(
            self.huey,
            workers=workers,
            worker_type="thread",
            periodic=periodic,
            initial_delay=0.05,
            max_delay=1.0,
        )


class _Consumer(Consumer):  # type: ignore[misc]
    def _set_signal_handlers(self) -> None:
        # The host process (uvicorn, the test runner, `shotline worker`) owns the signals.
        if threading.current_thread() is threading.main_thread() and self._own_signals:
            super()._set_signal_handlers()

    _own_signals = False


def run_worker(jobs: HueyJobs, workers: int) -> None:
    """Run a consumer in the foreground until SIGINT/SIGTERM (`shotline worker`)."""
    consumer = jobs.consumer(workers)
    consumer._own_signals = True
    consumer.run()


def start_embedded_worker(app: App, workers: int = 1) -> Callable[[], None]:
    """Start consumer threads inside this process when the queue is the default SQLite one
    (`shotline serve` on one machine); returns the function that stops them. With Redis,
    run `shotline worker` instead, and nothing starts here."""
    jobs = app.jobs
    if not isinstance(jobs, HueyJobs) or app.settings.redis_url:
        return lambda: None
    consumer = jobs.consumer(workers)
    consumer.start()

    def stop() -> None:
        consumer.stop(graceful=True)

    return stop
