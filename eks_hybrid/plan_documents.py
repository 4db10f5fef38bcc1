"""Plan documents: one stack's plan (or why it could not be planned) as JSON, and a set of them.

A stack's document is `StackPlan.to_json()` plus its policy verdict. A stack that cannot be planned has
an error document instead: `{"stack", "error": {"kind", "code", "message", "problems": [{file, path, rule,
code}]}}`, each `code` from the catalogue in `eks_hybrid.components.codes`.
Several stacks make `{"format": PLANS_FORMAT, "stacks": [...], "errors": {stack: error}}`, which
`eks-hybrid diff` reads back; with `plan --all` it also has `"notes": [{code, hub, site, file, message}]`:
each site of a hub's inventory that no stack of the directory claims (`site_claims.UnclaimedSite`), then
each pair of a hub's sites that does not reach the other through AWS (`site_reach.ReachNote`, which adds
`peer`, the pair's second site).
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eks_hybrid.components.codes import Code
from eks_hybrid.components.errors import EksHybridError, ProblemsError

from .planner import HubNotPlannedError, Planner, StackPlan
from .policy.plans import policy_section
from .site_claims import UnclaimedSite
from .site_reach import ReachNote
from .stack_files import StackFile, list_stacks, read_stack_file

PLANS_FORMAT = "eks-hybrid/plans/v1"


@dataclass(frozen=True)
class Planned:
    """One stack's outcome: its plan, or the error that stopped it."""

    stack: str
    plan: StackPlan | None = None
    error: Exception | None = None


def stack_order(stacks_dir: Path, read: Callable[[str], StackFile] | None = None) -> list[str]:
    """Hubs first, then sites, each alphabetically; a file that cannot be read goes last (and fails there).

    `read` reads a stack file by name (default: `read_stack_file` from `stacks_dir`); pass `Planner.read` so
    that planning the stacks afterwards does not read each file again.
    """

    read_file = read or functools.partial(read_stack_file, stacks_dir)

    def rank(name: str) -> tuple[int, str]:
        try:
            role = read_file(name).role
        except ProblemsError:
            return (2, name)
        return (0 if role == "hub" else 1, name)

    return sorted(list_stacks(stacks_dir), key=rank)


def plan_stacks(planner: Planner, names: Iterable[str]) -> list[Planned]:
    """Each of `names` planned, in order; stacks refused together (`Planner.refusals`) are not planned."""
    names = list(names)
    refused = planner.refusals(names)
    outcomes = []
    for name in names:
        if name in refused:
            outcomes.append(Planned(name, error=refused[name]))
            continue
        try:
            outcomes.append(Planned(name, plan=planner.plan(name)))
        except Exception as error:
            outcomes.append(Planned(name, error=error))
    return outcomes


def plan_document(plan: StackPlan, *, policy: bool = True) -> dict[str, Any]:
    document = plan.to_json()
    if policy:
        document["policy"] = policy_section(document)
    return document


def error_document(stack: str, error: Exception, *, debug: bool = False) -> dict[str, Any]:
    if isinstance(error, HubNotPlannedError):
        body: dict[str, Any] = {
            "kind": "skipped",
            "code": error.code,
            "message": f"hub stack {error.hub} could not be planned",
            "hub": error.hub,
        }
    elif isinstance(error, ProblemsError):
        body = {
            "kind": "problems",
            "code": error.code,
            "message": error.render(),
            "problems": [
                {"file": p.file, "path": p.path, "rule": p.rule, "code": p.code} for p in error.problems
            ],
        }
    else:
        body = {
            "kind": "failure",
            "code": error.code if isinstance(error, EksHybridError) else Code.INTERNAL_ERROR,
            "message": f"planning failed: {type(error).__name__}: {error}",
        }
        if debug:
            body["traceback"] = "".join(traceback.format_exception(error))
    return {"stack": stack, "error": body}


def plans_document(
    outcomes: Iterable[Planned],
    *,
    policy: bool = True,
    documents: Callable[[StackPlan], dict[str, Any]] | None = None,
    notes: Iterable[UnclaimedSite | ReachNote] | None = None,
) -> dict[str, Any]:
    """`documents` gives a plan's document when the caller has built it already (with the same `policy`);
    `notes`, when given (`plan --all`: the whole directory), are written as `notes`, even when empty."""
    stacks, errors = [], {}
    for outcome in outcomes:
        if outcome.plan is not None:
            stacks.append(
                documents(outcome.plan) if documents else plan_document(outcome.plan, policy=policy)
            )
        elif outcome.error is not None:
            errors[outcome.stack] = error_document(outcome.stack, outcome.error)["error"]
    document: dict[str, Any] = {"format": PLANS_FORMAT, "stacks": stacks, "errors": errors}
    if notes is not None:
        document["notes"] = [note.to_json() for note in notes]
    return document
