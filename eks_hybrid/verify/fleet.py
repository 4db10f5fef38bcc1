"""The fleet health page: `eks-hybrid verify --all --format html`, every stack's checks on one page.

One self-contained HTML document (inline CSS, the topology as inline SVG, no script, nothing fetched), fit
to publish as a CI artifact: the topology picture `plan --format svg` draws, a row per site (its tunnels,
routes, nodes and pools, each failing check with its remedy), and each hub's checks.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .findings import EXIT_COULD_NOT_CHECK, Finding, Status, exit_code, summary
from .report import report_json, summary_line

__all__ = ["SITE_COLUMNS", "StackHealth", "fleet_exit_code", "fleet_html", "fleet_json"]

SITE_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tunnels", ("vpn",)),
    ("routes", ("routes", "transit-gateway")),
    ("nodes", ("kubernetes",)),
    ("pools", ("palette",)),
    ("other", ("eks", "identity", "quotas")),
)
"""A site row's columns and the verify areas each counts (every area is in one column)."""

_LABEL = {Status.ok: "ok", Status.warn: "warn", Status.fail: "FAIL", Status.error: "n/a"}
_WORST = (Status.fail, Status.error, Status.warn, Status.ok)


@dataclass(frozen=True)
class StackHealth:
    """One stack's outcome: its findings, or why it could not be verified at all (`problem`)."""

    stack: str
    role: str
    hub: str | None = None
    findings: tuple[Finding, ...] = ()
    problem: str = ""
    remedy: str = ""

    @property
    def exit_code(self) -> int:
        return EXIT_COULD_NOT_CHECK if self.problem else exit_code(self.findings)

    @property
    def status(self) -> Status:
        if self.problem:
            return Status.error
        return _worst(self.findings)


def _worst(items: Sequence[Finding]) -> Status:
    statuses = {item.status for item in items}
    return next((status for status in _WORST if status in statuses), Status.ok)


def fleet_exit_code(stacks: Sequence[StackHealth]) -> int:
    """verify's exit status over the fleet: 1 when any check failed, else 2 when any stack or check could
    not be checked, else 0."""
    codes = {stack.exit_code for stack in stacks}
    return 1 if 1 in codes else max(codes, default=0)


def fleet_json(stacks: Sequence[StackHealth]) -> dict[str, Any]:
    """Each stack's `--format json` report, or its problem; the fleet's exit status."""
    out = []
    for stack in stacks:
        if stack.problem:
            out.append(
                {
                    "stack": stack.stack,
                    "role": stack.role,
                    "exitCode": stack.exit_code,
                    "problem": stack.problem,
                    "remedy": stack.remedy,
                }
            )
        else:
            out.append(report_json(stack.stack, stack.role, stack.findings))
    return {"exitCode": fleet_exit_code(stacks), "stacks": out}


# --- the page -------------------------------------------------------------------------------------------

_CSS = """
:root { color-scheme: light; --ok: #1a7f37; --warn: #9a6700; --fail: #cf222e; --error: #8250df; }
* { box-sizing: border-box; }
body { margin: 0; padding: 1.5rem; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial,
  sans-serif; color: #1f2328; background: #ffffff; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .5rem; border-bottom: 1px solid #d0d7de; padding-bottom: .25rem; }
p.summary { margin: 0 0 1rem; color: #57606a; }
figure.topology { margin: 0; padding: .5rem; border: 1px solid #d0d7de; border-radius: 6px; }
figure.topology svg { display: block; max-width: 100%; max-height: 1200px; width: auto; height: auto;
  margin: 0 auto; }
table { width: 100%; border-collapse: collapse; table-layout: fixed; }
th, td { border: 1px solid #d0d7de; padding: .4rem .5rem; vertical-align: top; text-align: left;
  overflow-wrap: anywhere; }
th { background: #f6f8fa; font-weight: 600; }
.badge { display: inline-block; min-width: 3.2em; padding: 0 .4em; border-radius: 1em; color: #ffffff;
  font-weight: 600; font-size: .85em; text-align: center; }
.badge.ok { background: var(--ok); } .badge.warn { background: var(--warn); }
.badge.fail { background: var(--fail); } .badge.error { background: var(--error); }
.counts { white-space: nowrap; }
ul.problems { margin: 0; padding-left: 1.1rem; }
ul.problems li { margin-bottom: .35rem; }
.remedy { color: #0550ae; }
.remedy::before { content: "\\2192  "; }
code { font-size: .95em; }
col.site { width: 13%; } col.cell { width: 9%; } col.problems { width: 42%; }
col.status { width: 6%; } col.area { width: 12%; } col.check { width: 27%; } col.found { width: 55%; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _badge(status: Status) -> str:
    return f'<span class="badge {status}">{_LABEL[status]}</span>'


def _counts(items: Sequence[Finding]) -> str:
    if not items:
        return '<span class="counts">-</span>'
    counts = summary(items)
    parts = [f"{counts[str(s)]} {_LABEL[s]}" for s in (Status.ok, Status.warn, Status.fail, Status.error)]
    shown = [part for part in parts if not part.startswith("0 ")]
    return f'{_badge(_worst(items))} <span class="counts">{_e(", ".join(shown))}</span>'


def _problem_item(item: Finding) -> str:
    return (
        f"<li>{_badge(item.status)} <strong>{_e(item.area)}</strong>: {_e(item.check)}: {_e(item.detail)}"
        f'<div class="remedy">{_e(item.remedy)}</div></li>'
    )


def _not_verified(stack: StackHealth, badge: str = "") -> str:
    """The one item of a stack that could not be verified: why, and what to do."""
    return (
        f'<ul class="problems"><li>{badge}could not verify: {_e(stack.problem)}'
        f'<div class="remedy">{_e(stack.remedy)}</div></li></ul>'
    )


def _site_row(stack: StackHealth) -> str:
    head = f"<td><strong>{_e(stack.stack)}</strong><br>{_badge(stack.status)} hub {_e(stack.hub or '?')}</td>"
    if stack.problem:
        cells = "".join("<td>-</td>" for _ in SITE_COLUMNS)
        problems = _not_verified(stack, _badge(Status.error) + " ")
    else:
        cells = "".join(
            f"<td>{_counts([f for f in stack.findings if f.area in areas])}</td>" for _, areas in SITE_COLUMNS
        )
        failing = [f for f in stack.findings if f.status is not Status.ok]
        problems = (
            f'<ul class="problems">{"".join(_problem_item(f) for f in failing)}</ul>' if failing else "none"
        )
    return f'<tr id="site-{_e(stack.stack)}">{head}{cells}<td>{problems}</td></tr>'


def _sites_table(sites: Sequence[StackHealth]) -> str:
    columns = "".join(f"<th>{_e(name)}</th>" for name, _ in SITE_COLUMNS)
    cols = '<col class="site">' + '<col class="cell">' * len(SITE_COLUMNS) + '<col class="problems">'
    rows = "".join(_site_row(site) for site in sites)
    return (
        f'<table class="sites"><colgroup>{cols}</colgroup><thead><tr><th>site stack</th>{columns}'
        f"<th>failing checks and remedies</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _hub_section(stack: StackHealth) -> str:
    title = f'<h2 id="hub-{_e(stack.stack)}">Hub {_e(stack.stack)} {_badge(stack.status)}</h2>'
    if stack.problem:
        return title + _not_verified(stack)
    rows = "".join(
        f"<tr><td>{_badge(f.status)}</td><td>{_e(f.area)}</td><td>{_e(f.check)}</td><td>{_e(f.detail)}"
        + (f'<div class="remedy">{_e(f.remedy)}</div>' if f.remedy else "")
        + "</td></tr>"
        for f in stack.findings
    )
    return (
        f'{title}<p class="summary">{_e(summary_line(stack.findings))}</p><table class="hub">'
        '<colgroup><col class="status"><col class="area"><col class="check"><col class="found"></colgroup>'
        f"<thead><tr><th></th><th>area</th><th>check</th><th>found / remedy</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


_SVG_START = re.compile(r"<svg\b", re.IGNORECASE)


def inline_svg(svg: str) -> str:
    """An SVG document as an element to inline: its XML declaration, doctype and comments dropped."""
    start = _SVG_START.search(svg)
    if start is None:
        raise ValueError("not an SVG document")
    return re.sub(r"<!--.*?-->", "", svg[start.start() :], flags=re.DOTALL).strip()


def fleet_html(
    stacks: Sequence[StackHealth], *, topology_svg: str | None, topology_note: str = "", title: str = ""
) -> str:
    """The page. `topology_svg` is the picture (`topology.graphviz.to_svg`); without it, `topology_note`
    says why there is none."""
    title = title or "eks-hybrid fleet health"
    sites = [s for s in stacks if s.role == "site"]
    hubs = [s for s in stacks if s.role != "site"]
    code = fleet_exit_code(stacks)
    status = {0: Status.ok, 1: Status.fail}.get(code, Status.error)
    counts = {s: sum(1 for stack in stacks if stack.status is s) for s in _WORST}
    overview = ", ".join(f"{counts[s]} {_LABEL[s]}" for s in _WORST if counts[s])
    picture = (
        f'<figure class="topology">{inline_svg(topology_svg)}</figure>'
        if topology_svg
        else f'<p class="summary">No topology picture: {_e(topology_note or "not drawn")}</p>'
    )
    body = [
        f"<h1>{_e(title)} {_badge(status)}</h1>",
        f'<p class="summary">{len(stacks)} stack(s): {_e(overview)}; exit status {code}.</p>',
        "<h2>Topology</h2>",
        picture,
        "<h2>Sites</h2>",
        _sites_table(sites) if sites else '<p class="summary">No site stacks.</p>',
        *(_hub_section(hub) for hub in hubs),
    ]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head>\n<body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
