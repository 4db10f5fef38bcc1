"""The evidence suites: bad input, faults, secrets and least privilege, each counting what it tried.

Every suite adds its figures to `FIGURES`; pytest prints them at the end of the run (and writes them as JSON
to `$EVIDENCE_FIGURES` when set), so a CI log carries the figures of the run.

Hypothesis runs under the `evidence` profile: derandomized (the same examples on every run, so CI is
repeatable), no example database, no deadline (a full plan takes about a second). `EVIDENCE_PROFILE=deep`
multiplies every example count by ten for a longer local run.
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

# The Palette emulator over real HTTP and providers pointed at it (the fault soak).
from tests.palette.conftest import app, clock, emulator_server, live, provider, reports, state  # noqa: F401

FIGURES: defaultdict[str, Counter[str]] = defaultdict(Counter)

settings.register_profile(
    "evidence",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
settings.register_profile("deep", parent=settings.get_profile("evidence"))
SCALE = 10 if os.environ.get("EVIDENCE_PROFILE") == "deep" else 1


def examples(count: int) -> settings:
    """The evidence profile with `count` examples (ten times more under EVIDENCE_PROFILE=deep)."""
    return settings(settings.get_profile("evidence"), max_examples=count * SCALE)


def record(suite: str, **counts: int) -> None:
    FIGURES[suite].update(counts)


def record_max(suite: str, key: str, value: int) -> None:
    FIGURES[suite][key] = max(FIGURES[suite][key], value)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not FIGURES:
        return
    terminalreporter.section("evidence: figures")
    for suite, counts in sorted(FIGURES.items()):
        figures = ", ".join(f"{key} {value}" for key, value in sorted(counts.items()))
        terminalreporter.write_line(f"{suite}: {figures}")
    target = os.environ.get("EVIDENCE_FIGURES")
    if target:
        with open(target, "w") as handle:
            json.dump(
                {suite: dict(counts) for suite, counts in FIGURES.items()}, handle, indent=2, sort_keys=True
            )


@pytest.fixture(scope="session")
def figures() -> defaultdict[str, Counter[str]]:
    return FIGURES
