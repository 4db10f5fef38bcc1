"""Bounded waits on Palette's asynchronous work, failing fast on terminal bad states, reporting progress.

Palette answers every mutation at once and works in the background; the only way to follow it is to poll
the object (the Terraform provider's `retry.StateChangeConf`: at least 10 s between polls, an overall
timeout, and any state outside the pending list is an error at once). Progress is reported to the user at a
level Pulumi shows by default (`pulumi.log.info`), with the elapsed time: each new state once, and the same
state again every `heartbeat` seconds, so an hour's repave says what it is doing without a line per poll.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import PaletteWaitError

__all__ = ["Observation", "Waiter", "pulumi_info"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Observation:
    """One poll: a short description of the state, and whether the wait is done or has failed."""

    state: str
    done: bool = False
    failure: str | None = None  # set when the object reached a terminal bad state: Palette's message


def pulumi_info(message: str) -> None:
    """Log to Python logging and, when running under the Pulumi engine, to the user's console."""
    log.info(message)
    with contextlib.suppress(Exception):
        import pulumi

        pulumi.log.info(message)


def _duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


@dataclass
class Waiter:
    """`Waiter(timeout, interval).until(what, observe, hint)`: poll `observe` until done, a failure, or
    `timeout` seconds; `sleep`, `clock` and `report` are seams for tests."""

    timeout: float
    interval: float
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    report: Callable[[str], None] = pulumi_info
    heartbeat: float = 60.0

    def until(self, what: str, observe: Callable[[], Observation], hint: str = "") -> Observation:
        started = self.clock()
        last: tuple[str, float] | None = None  # the state last reported, and when
        while True:
            seen = observe()
            elapsed = self.clock() - started
            if seen.failure is not None:
                raise PaletteWaitError(f"{what} is {seen.state} after {_duration(elapsed)}: {seen.failure}")
            if seen.done:
                self.report(f"palette: {what} is {seen.state} after {_duration(elapsed)}")
                return seen
            if elapsed >= self.timeout:
                limit = _duration(self.timeout)
                raise PaletteWaitError(
                    f"{what} is still {seen.state} after {_duration(elapsed)} (timeout {limit})"
                    + (f": {hint}" if hint else "")
                )
            if last is None or last[0] != seen.state or elapsed - last[1] >= self.heartbeat:
                self.report(
                    f"palette: waiting for {what}: {seen.state} ({_duration(elapsed)} elapsed,"
                    f" up to {_duration(self.timeout)})"
                )
                last = (seen.state, elapsed)
            self.sleep(min(self.interval, max(0.0, self.timeout - elapsed)))
