"""How long Palette's background work takes, and the clocks the emulator reads it from.

Palette answers every mutation at once and does the work afterwards; the emulator does the same. Each
duration below is Palette's, from a public source where one exists, else marked inferred ([I]). The command
line serves these times; `--time-scale` divides them all (tests and demos), `--timing NAME=SECONDS`
overrides one. Tests drive a `VirtualClock` instead, shared with the providers' poll sleeps, so an hour's
repave passes in no wall time with the providers polling at their real interval.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["Clock", "Timing", "VirtualClock", "parse_timing_override"]

Clock = Callable[[], float]


@dataclass(frozen=True)
class Timing:
    """Seconds each piece of Palette's asynchronous work takes."""

    #: An imported cluster: `Pending` until Running/Healthy once its agent reports [I: Spectro's import page
    #: gives no figure; a few minutes is what the agent's start-up needs].
    import_ready: float = 180.0
    #: A new hybrid pool's link to its edge-native child cluster (`cloudConfig.hybridCluster` on the pool
    #: GET, `clusterUid` in `hybridPools/metadata`) [I: Palette fills import details asynchronously (the
    #: Terraform provider sleeps after `POST .../import`, resource_cluster_brownfield.go); whether the
    #: pool's child reference lags the same way is not public].
    pool_link: float = 20.0
    #: A new hybrid pool: `Provisioning` until Running with every host's machine ready. Spectro's docs,
    #: create-hybrid-node-pools.md: the pool "will take up to 15 minutes".
    pool_ready: float = 900.0
    #: A host added to a running pool: its machine provisions [I: no figure is public; a pool's one-host
    #: provisioning time is taken, within the 15 minutes above].
    host_join: float = 600.0
    #: A profile swap: `spcApply.canBeApplied` false while the new profile downloads [I: no figure is
    #: public; the Terraform provider polls for it (`waitForProfileDownload`)].
    profile_download: float = 60.0
    #: The repave after a profile swap, machine by machine. Spectro's docs (cluster profile updates,
    #: "When to Manually Repave"): it "can take up to one hour".
    repave: float = 3600.0
    #: A hybrid pool delete: `Deleting` until gone [I].
    pool_delete: float = 120.0
    #: A cluster delete: `Deleting` until gone [I: the Terraform provider waits for it
    #: (`waitForClusterDeletion`) with a 20-minute force-delete delay by default].
    cluster_delete: float = 300.0

    def scaled(self, factor: float) -> Timing:
        """Every duration divided by `factor` (> 0)."""
        if factor <= 0:
            raise ValueError("the time scale must be positive")
        return dataclasses.replace(
            self, **{f.name: getattr(self, f.name) / factor for f in dataclasses.fields(self)}
        )

    @classmethod
    def instant(cls) -> Timing:
        """All work done at once: for seeding an estate whose creation is not what is measured."""
        return cls(**dict.fromkeys(cls.names(), 0.0))

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]


def parse_timing_override(text: str) -> tuple[str, float]:
    """`NAME=SECONDS`, e.g. `repave=30`."""
    name, sep, value = text.partition("=")
    if not sep or name not in Timing.names():
        raise ValueError(f"{text!r}: expected NAME=SECONDS with NAME one of {', '.join(Timing.names())}")
    try:
        seconds = float(value)
    except ValueError:
        raise ValueError(f"{text!r}: {value!r} is not a number of seconds") from None
    if seconds < 0:
        raise ValueError(f"{text!r}: seconds cannot be negative")
    return name, seconds


class VirtualClock:
    """A clock that moves only when told: `now()` for the emulator, `sleep(s)` for the code polling it.

    A sleep of zero still moves the clock by `min_step`, so a poll loop with no interval makes progress.
    """

    def __init__(self, start: float = 1_000_000.0, min_step: float = 1.0) -> None:
        self._now = start
        self._min_step = min_step
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        self.advance(max(seconds, self._min_step))

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds
