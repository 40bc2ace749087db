"""HQ's own periodic work in its process (python -m hq): a job run at start, then every interval; a failure (the
database unreachable) is logged and tried again at the next turn, and HQ keeps serving meanwhile."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic(threading.Thread):
    def __init__(self, name: str, job: Callable[[], int], interval: float, done: str) -> None:
        """`done` is the log line after a turn, with %s for the count the job returns."""
        super().__init__(name=name, daemon=True)
        self.job, self.interval, self.done, self.stop = job, interval, done, threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                log.info(self.done, self.job())
            except Exception:  # any failure of a turn: logged, tried again at the next one
                log.exception("%s failed", self.name)
            self.stop.wait(self.interval)
