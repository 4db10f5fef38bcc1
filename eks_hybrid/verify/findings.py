"""What `verify` reports: one `Finding` per check, each with a status and, unless it passed, a remedy."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from eks_hybrid.components.verify_names import VERIFY_AREAS

__all__ = ["AREAS", "Finding", "Status", "collapse_repeats", "exit_code", "one_line", "summary"]

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


# --- error text ------------------------------------------------------------------------------------------

SUMMARY_LIMIT = 240
"""The longest error text a finding quotes (an error body can be a whole web page)."""

_PAGE = re.compile(r"<(?:!doctype|html|head|body|title)\b", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_HEADING = re.compile(r"<h1[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_NOISE = re.compile(r"<(script|style)[^>]*>.*?</\1>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
# An error body quoted as bytes (`b'...\n...'`, how botocore's parser errors print it) keeps its escapes.
_ESCAPED_SPACE = re.compile(r"(?:\\[nrt])+")


def _text(markup: str) -> str:
    return " ".join(html.unescape(_TAG.sub(" ", markup)).split())


def one_line(text: str, limit: int = SUMMARY_LIMIT) -> str:
    """Error text on one line: an HTML page in it (a proxy's or a load balancer's 5xx page, where an API's
    JSON or XML error was expected) becomes `HTML page: <its title>` (else its first heading, else its
    text), whitespace is collapsed, and anything longer than `limit` is cut with an ellipsis."""
    text = _ESCAPED_SPACE.sub(" ", text)
    page = _PAGE.search(text)
    if page is not None:
        body = _NOISE.sub(" ", text[page.start() :])
        found = _TITLE.search(body) or _HEADING.search(body)
        title = _text(found.group(1)) if found else _text(body)
        text = f"{text[: page.start()].rstrip()} HTML page: {title or '(no text)'}".lstrip()
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def collapse_repeats(items: Sequence[Finding]) -> list[Finding]:
    """Could-not-check findings that say the same thing (no credentials, one endpoint down for every
    check) as one finding where the first was, naming how many checks and which areas it stands for."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for item in items:
        if item.status is Status.error:
            groups.setdefault((item.detail, item.remedy), []).append(item)
    out = []
    for item in items:
        group = groups.get((item.detail, item.remedy)) if item.status is Status.error else None
        if group is None or len(group) == 1:
            out.append(item)
        elif item is group[0]:
            areas = list(dict.fromkeys(f.area for f in group))
            checks = "; ".join(f.check for f in group)
            out.append(
                replace(
                    item,
                    check=f"{len(group)} checks ({', '.join(areas)})",
                    detail=f"{item.detail} (the same for all {len(group)} checks: {checks})",
                )
            )
    return out
