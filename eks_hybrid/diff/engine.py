"""Compare two sets of plans (`eks-hybrid plan --format json` documents), stack by stack.

Resources are matched by URN. A resource's aliases (the URNs it had before a rename) count as the same
resource, and so do the children of an aliased parent under the parent's old URN: the Pulumi engine
gives children their parent's aliases too (pulumi/pulumi `resource_options.go`, inherited child aliases).
What a change does (update or replace) comes from `replacements.json`, the resource's `replaceOnChanges`
option, and its provider: a resource whose provider is replaced is replaced with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..offline.options import child_type, make_urn, split_urn
from .replacements import replace_reasons, rule_for
from .values import Change, diff_values

Action = Literal["create", "delete", "replace", "update"]
ACTIONS: tuple[Action, ...] = ("create", "replace", "update", "delete")


@dataclass
class PlanSet:
    """Plans of several stacks (by stack name), and the stacks that could not be planned (their error)."""

    label: str
    stacks: dict[str, dict[str, Any]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    # Which eks-hybrid planned them ("eks-hybrid 0.2.0 (installed)"); "" when not recorded (a plan file).
    planned_by: str = ""

    def names(self) -> set[str]:
        return set(self.stacks) | set(self.errors)


@dataclass
class ResourceDiff:
    action: Action
    urn: str
    type: str
    name: str
    old_urn: str | None = None
    changes: list[Change] = field(default_factory=list)
    replace_reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    protect: bool = False

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "action": self.action,
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "changes": [c.to_json() for c in self.changes],
        }
        if self.old_urn and self.old_urn != self.urn:
            document["oldUrn"] = self.old_urn
        if self.replace_reasons:
            document["replaceReasons"] = self.replace_reasons
        if self.notes:
            document["notes"] = self.notes
        return document


@dataclass
class StackDiff:
    stack: str
    role: str
    status: Literal["added", "removed", "changed", "unchanged", "failed"]
    resources: list[ResourceDiff] = field(default_factory=list)
    outputs: list[Change] = field(default_factory=list)
    secrets: list[Change] = field(default_factory=list)
    """Config secrets added, removed or re-encrypted (their ciphertext's digest changed in the stack file)."""
    errors: dict[str, str] = field(default_factory=dict)
    violations: list[dict[str, Any]] = field(default_factory=list)
    """Policy violations of the head plan."""

    def counts(self) -> dict[str, int]:
        return {action: sum(1 for r in self.resources if r.action == action) for action in ACTIONS}

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "role": self.role,
            "status": self.status,
            "counts": self.counts(),
            "resources": [r.to_json() for r in self.resources],
            "outputs": [c.to_json() for c in self.outputs],
            "secrets": [c.to_json() for c in self.secrets],
            "errors": self.errors,
            "violations": self.violations,
        }


def _by_urn(document: Mapping[str, Any] | None) -> dict[str, dict[str, Any]]:
    return {r["urn"]: r for r in (document or {}).get("resources", [])}


def _depth(resource: Mapping[str, Any]) -> int:
    return split_urn(resource["urn"])[2].count("$")


def match_resources(base: Mapping[str, dict[str, Any]], head: Mapping[str, dict[str, Any]]) -> dict[str, str]:
    """head URN -> base URN, for every head resource that is a base resource (same URN or an alias)."""
    matched: dict[str, str] = {}
    taken: set[str] = set()
    for resource in sorted(head.values(), key=lambda r: (_depth(r), r["urn"])):
        for candidate in _candidates(resource, matched):
            if candidate in base and candidate not in taken:
                matched[resource["urn"]] = candidate
                taken.add(candidate)
                break
    return matched


def _candidates(resource: Mapping[str, Any], matched: Mapping[str, str]) -> Iterable[str]:
    yield resource["urn"]
    aliases = list((resource.get("options") or {}).get("aliases") or [])
    yield from aliases
    parent = resource.get("parent")
    old_parent = matched.get(parent) if parent else None
    if old_parent and old_parent != parent:
        stack, project, _, _ = split_urn(resource["urn"])
        names = [resource["name"]] + [split_urn(a)[3] for a in aliases]
        types = [resource["type"]] + [split_urn(a)[2].rsplit("$", 1)[-1] for a in aliases]
        for name, type_token in zip(names, types, strict=True):
            yield make_urn(stack, project, child_type(old_parent, type_token), name)


def _without_unset(inputs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in inputs.items() if v is not None}


def _under(path: str, prefixes: Iterable[str]) -> bool:
    return any(path == p or path.startswith((f"{p}.", f"{p}[")) for p in prefixes)


def _options(resource: Mapping[str, Any]) -> dict[str, Any]:
    """A resource's options; a plan from before options were recorded has only `protect`."""
    return {"protect": bool(resource.get("protect")), **(resource.get("options") or {})}


def _provider_changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Only when both plans record providers (older plans do not)."""
    return "provider" in old and "provider" in new and old["provider"] != new["provider"]


def _compare(old: dict[str, Any], new: dict[str, Any], replaced_providers: set[str]) -> ResourceDiff | None:
    old_inputs, new_inputs = _without_unset(old.get("inputs", {})), _without_unset(new.get("inputs", {}))
    old_options, new_options = _options(old), _options(new)
    # `ignoreChanges`: the engine keeps the old value of those properties in an update.
    ignored = list(new_options.get("ignoreChanges") or [])
    changes = [c for c in diff_values(old_inputs, new_inputs) if not _under(c.path, ignored)]
    # Aliases say which resource it is, not what changes; a dynamic provider's class decides by its own
    # `diff`, which ignores where the class lives (moving its module changes no resource).
    unread = ("aliases", "dynamicProvider")
    compared = set(old_options) | set(new_options) if "options" in old else {"protect"}  # an older plan
    option_changes = diff_values(
        {k: v for k, v in old_options.items() if k not in unread and k in compared},
        {k: v for k, v in new_options.items() if k not in unread and k in compared},
        "(options)",
    )
    rule = rule_for(new["type"], new_options.get("dynamicProvider"))
    reasons = replace_reasons(rule, changes, old_inputs, new_inputs) if rule else []
    notes: list[str] = []
    if rule is None:
        notes.append("no replacement data for this type: assumed an update")
    for path in new_options.get("replaceOnChanges") or []:
        reasons += [c.path for c in changes if c.path == path or c.path.startswith(f"{path}.") or path == "*"]
    provider = new.get("provider")
    if provider and provider in replaced_providers:
        reasons.append(f"(provider {split_urn(provider)[3]} is replaced)")
    if old.get("type") != new.get("type"):
        notes.append(f"type {old.get('type')} -> {new.get('type')} (aliased)")
    if old["urn"] != new["urn"]:
        notes.append("renamed; the alias keeps it the same resource")
    if not (changes or option_changes or reasons or _provider_changed(old, new)):
        return None  # the same resource, renamed or not: nothing for `pulumi up` to do
    if _provider_changed(old, new):
        option_changes.append(Change("(provider)", "changed", old=old.get("provider"), new=provider))
    reasons = sorted(dict.fromkeys(reasons))
    action: Action = "replace" if reasons else "update"
    if action == "replace":
        if new_options.get("protect") or old_options.get("protect"):
            notes.append("protected: `pulumi up` refuses to replace it until protect is turned off")
        if new_options.get("deleteBeforeReplace"):
            notes.append("deleted before its replacement is created")
    return _resource(action, new, old["urn"], changes + option_changes, reasons, notes)


def _resource(
    action: Action,
    resource: Mapping[str, Any],
    old_urn: str | None,
    changes: list[Change],
    reasons: list[str],
    notes: list[str],
) -> ResourceDiff:
    return ResourceDiff(
        action=action,
        urn=resource["urn"],
        type=resource["type"],
        name=resource["name"],
        old_urn=old_urn,
        changes=changes,
        replace_reasons=reasons,
        notes=notes,
        protect=bool((resource.get("options") or {}).get("protect") or resource.get("protect")),
    )


def diff_resources(
    base_doc: Mapping[str, Any] | None, head_doc: Mapping[str, Any] | None
) -> list[ResourceDiff]:
    base, head = _by_urn(base_doc), _by_urn(head_doc)
    matched = match_resources(base, head)
    diffs: dict[str, ResourceDiff] = {}
    replaced_providers: set[str] = set()
    # Providers first: a replaced provider replaces what it manages.
    ordered = sorted(head.values(), key=lambda r: (not r["type"].startswith("pulumi:providers:"), r["urn"]))
    for resource in ordered:
        urn = resource["urn"]
        if urn not in matched:
            diffs[urn] = _resource(
                "create", resource, None, diff_values({}, resource.get("inputs", {})), [], []
            )
            continue
        result = _compare(base[matched[urn]], resource, replaced_providers)
        if result is not None:
            diffs[urn] = result
            if result.action == "replace" and resource["type"].startswith("pulumi:providers:"):
                replaced_providers.add(urn)
    for urn in sorted(set(base) - set(matched.values())):
        resource = base[urn]
        notes = []
        if (resource.get("options") or {}).get("protect") or resource.get("protect"):
            notes.append("protected: `pulumi up` refuses to delete it until protect is turned off")
        diffs[urn] = _resource(
            "delete", resource, urn, diff_values(resource.get("inputs", {}), {}), [], notes
        )
    return sorted(diffs.values(), key=lambda d: (ACTIONS.index(d.action), d.urn))


def diff_stack(name: str, base: PlanSet, head: PlanSet) -> StackDiff:
    base_doc, head_doc = base.stacks.get(name), head.stacks.get(name)
    role = str((head_doc or base_doc or {}).get("role") or "unknown")
    errors = {side: s.errors[name] for side, s in (("base", base), ("head", head)) if name in s.errors}
    if errors and not (base_doc and head_doc):
        return StackDiff(name, role, "failed", errors=errors)
    status: Any = "added" if base_doc is None else "removed" if head_doc is None else "changed"
    resources = diff_resources(base_doc, head_doc)
    outputs = diff_values((base_doc or {}).get("outputs", {}), (head_doc or {}).get("outputs", {}))
    secrets = _secret_changes(
        (base_doc or {}).get("configSecrets", {}), (head_doc or {}).get("configSecrets", {})
    )
    if status == "changed" and not (resources or outputs or secrets):
        status = "unchanged"
    return StackDiff(
        name,
        role,
        status,
        resources=resources,
        outputs=outputs,
        secrets=secrets,
        errors=errors,
        violations=list((head_doc or {}).get("policy", {}).get("violations", [])),
    )


def _secret_changes(old: Mapping[str, str], new: Mapping[str, str]) -> list[Change]:
    """Config secrets by their `--path` key: added, removed, or re-encrypted (their digest changed)."""
    changes = []
    for path in sorted(set(old) | set(new)):
        if path not in old:
            changes.append(Change(path, "added", new=new[path]))
        elif path not in new:
            changes.append(Change(path, "removed", old=old[path]))
        elif old[path] != new[path]:
            changes.append(Change(path, "changed", old=old[path], new=new[path]))
    return changes


def diff_plans(base: PlanSet, head: PlanSet) -> list[StackDiff]:
    """Every stack of either side, hubs first, then sites, each alphabetically."""
    stacks = [diff_stack(name, base, head) for name in base.names() | head.names()]
    return sorted(stacks, key=lambda s: (s.role != "hub", s.stack))
