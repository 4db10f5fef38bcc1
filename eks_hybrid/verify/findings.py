"""What `verify` reports: one `Finding` per check, each with a status and, unless it passed, a remedy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from eks_hybrid.components.verify_names import VERIFY_AREAS

__all__ = ["AREAS", "Finding", "Status", "exit_code", "summary"]

# The order areas appear in a report; also the names `--skip` and `eks-hybrid:verify.skip` take.
AREAS = VERIFY_AREAS


class Status(StrEnum):
    ok = "ok"
    warn = "warn"  # works today, but will not for long (one tunnel down, a quota about to be crossed)
    fail = "fail"  # the real state differs from the stack's intent
    error = "error"  # could not check (no credentials, no access, no endpoint)


@dataclass(frozen=True)
class Finding:
    """One line of the report: what was checked, what was found, and what to do about it."""

    area: str
    check: str
    status: Status
    detail: str
    remedy: str = ""

    def __post_init__(self) -> None:
        if self.area not in AREAS:
            raise ValueError(f"unknown area {self.area!r}")
        if self.status is not Status.ok and not self.remedy:
            raise ValueError(f"{self.area}: {self.check}: a {self.status} finding needs a remedy")

    def to_json(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "check": self.check,
            "status": str(self.status),
            "detail": self.detail,
            "remedy": self.remedy,
        }


def ok(area: str, check: str, detail: str) -> Finding:
    return Finding(area, check, Status.ok, detail)


def warn(area: str, check: str, detail: str, remedy: str) -> Finding:
    return Finding(area, check, Status.warn, detail, remedy)


def fail(area: str, check: str, detail: str, remedy: str) -> Finding:
    return Finding(area, check, Status.fail, detail, remedy)


def error(area: str, check: str, detail: str, remedy: str) -> Finding:
    return Finding(area, check, Status.error, detail, remedy)


def summary(findings: Iterable[Finding]) -> dict[str, int]:
    counts = dict.fromkeys((str(s) for s in Status), 0)
    for finding in findings:
        counts[str(finding.status)] += 1
    return counts


EXIT_OK = 0
EXIT_FAILURES = 1
EXIT_COULD_NOT_CHECK = 2


def exit_code(findings: Iterable[Finding]) -> int:
    """0 all good (warnings included), 1 any check failed, 2 otherwise when any could not be checked."""
    statuses = {finding.status for finding in findings}
    if Status.fail in statuses:
        return EXIT_FAILURES
    if Status.error in statuses:
        return EXIT_COULD_NOT_CHECK
    return EXIT_OK
