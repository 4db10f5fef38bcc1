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

from ..offline.mocks import DEFAULT_REGION, mock_id, mock_state, replaced_values
from ..offline.options import child_type, make_urn, split_urn
from .cascade import describe, substitute
from .replacements import replace_reasons, rule_for
from .values import Change, diff_values, strip_indexes

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
    cascade_from: list[str] = field(default_factory=list)
    """The replaced (or renewed) resources whose new id, ARN or derived outputs this one reads, the one that
    reached it first first: set only when the cascade changed what happens to it."""
    kind: dict[str, str] | None = None
    """What a dynamic resource is (the plan's `kind`); None for other resources and older plans."""

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "action": self.action,
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "changes": [c.to_json() for c in self.changes],
        }
        if self.kind:
            document["kind"] = self.kind
        if self.old_urn and self.old_urn != self.urn:
            document["oldUrn"] = self.old_urn
        if self.replace_reasons:
            document["replaceReasons"] = self.replace_reasons
        if self.notes:
            document["notes"] = self.notes
        if self.cascade_from:
            document["cascadeFrom"] = self.cascade_from
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


def decide_replacement(
    resource: Mapping[str, Any],
    changes: list[Change],
    old_inputs: dict[str, Any],
    new_inputs: dict[str, Any],
    replaced_providers: set[str],
) -> list[str]:
    """Why `changes` replace `resource` (none: an update): its type's replace-on-change properties
    (`replacements.json`), its `replaceOnChanges` option, and a replaced provider."""
    options = _options(resource)
    rule = rule_for(resource["type"], options.get("dynamicProvider"))
    reasons = replace_reasons(rule, changes, old_inputs, new_inputs) if rule else []
    for path in options.get("replaceOnChanges") or []:
        reasons += [c.path for c in changes if c.path == path or c.path.startswith(f"{path}.") or path == "*"]
    provider = resource.get("provider")
    if provider and provider in replaced_providers:
        reasons.append(f"(provider {split_urn(provider)[3]} is replaced)")
    return reasons


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
    notes: list[str] = []
    if rule_for(new["type"], new_options.get("dynamicProvider")) is None:
        notes.append("no replacement data for this type: assumed an update")
    reasons = decide_replacement(new, changes, old_inputs, new_inputs, replaced_providers)
    provider = new.get("provider")
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
        notes += _replace_notes(old, new)
    return _resource(action, new, old["urn"], changes + option_changes, reasons, notes)


def _replace_notes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    notes = []
    if _options(new).get("protect") or _options(old).get("protect"):
        notes.append("protected: `pulumi up` refuses to replace it until protect is turned off")
    if _options(new).get("deleteBeforeReplace"):
        notes.append("deleted before its replacement is created")
    return notes


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
        kind=resource.get("kind"),
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
    """Every stack of either side, hubs first, then sites, each alphabetically; replacements cascaded."""
    stacks = [diff_stack(name, base, head) for name in base.names() | head.names()]
    cascade(stacks, base, head)
    return sorted(stacks, key=lambda s: (s.role != "hub", s.stack))


def _region(document: Mapping[str, Any] | None) -> str:
    """A hub records its region in its outputs; a site's resources' ids do not depend on it."""
    region = ((document or {}).get("outputs") or {}).get("region")
    return region if isinstance(region, str) else DEFAULT_REGION


def renewed_values(diff: ResourceDiff, old: Mapping[str, Any], region: str) -> set[str]:
    """The values `diff` makes new: all of a replaced resource's id-derived ones; for an update, the outputs
    its type's rule says a change of one of its inputs renews (`renews` in `replacements.json`)."""
    if diff.action == "replace":
        return replaced_values(old["type"], old["name"], old.get("inputs") or {}, region)
    rule = rule_for(old["type"], _options(old).get("dynamicProvider"))
    if diff.action != "update" or rule is None or not rule.renews:
        return set()
    changed = {strip_indexes(c.path).split(".")[0] for c in diff.changes}
    outputs = [out for path, renewed in rule.renews.items() if path in changed for out in renewed]
    if not outputs:
        return set()
    resource_id = mock_id(old["type"], old["name"])
    state = mock_state(old["type"], old["name"], old.get("inputs") or {}, region, resource_id)
    return {state[o] for o in outputs if isinstance(state.get(o), str)}


def cascade(stacks: list[StackDiff], base: PlanSet, head: PlanSet) -> None:
    """Give every resource that reads a replaced resource's id, ARN or id-derived outputs (in any stack:
    a site reads its hub's through a StackReference) those inputs as unknown, and decide its replacement
    again, until nothing more changes. `stacks` are updated in place."""
    base_docs = {name: _by_urn(doc) for name, doc in base.stacks.items()}
    head_docs = {name: _by_urn(doc) for name, doc in head.stacks.items()}
    diffs = {s.stack: {r.urn: r for r in s.resources} for s in stacks}
    original = {stack: dict(found) for stack, found in diffs.items()}
    matched = {name: match_resources(base_docs.get(name, {}), found) for name, found in head_docs.items()}
    new_values: dict[str, str] = {}  # value -> the URN whose replacement (or renewal) makes it new
    order: dict[str, int] = {}  # source URN -> when it was found
    replaced_providers: set[str] = set()

    def add_source(stack: str, diff: ResourceDiff) -> bool:
        if diff.urn in order or diff.old_urn is None or diff.old_urn not in base_docs.get(stack, {}):
            return False
        values = renewed_values(diff, base_docs[stack][diff.old_urn], _region(base.stacks.get(stack)))
        if not values:
            return False
        order[diff.urn] = len(order)
        for value in sorted(values):
            new_values.setdefault(value, diff.urn)
        if diff.action == "replace" and diff.type.startswith("pulumi:providers:"):
            replaced_providers.add(diff.urn)
        return True

    for stack in sorted(diffs):
        for diff in sorted(diffs[stack].values(), key=lambda d: d.urn):
            add_source(stack, diff)
    grew = bool(order)
    while grew:
        grew = False
        for stack in sorted(head_docs):
            for urn, resource in sorted(head_docs[stack].items()):
                before = original.get(stack, {}).get(urn)
                if urn not in matched[stack] or (before is not None and before.action != "update"):
                    continue
                result = _cascaded(
                    resource,
                    base_docs[stack][matched[stack][urn]],
                    before,
                    new_values,
                    replaced_providers,
                    order,
                )
                if result is None:
                    continue
                diffs.setdefault(stack, {})[urn] = result
                grew = add_source(stack, result) or grew
    for stack_diff in stacks:
        stack_diff.resources = sorted(
            diffs.get(stack_diff.stack, {}).values(), key=lambda d: (ACTIONS.index(d.action), d.urn)
        )
        outputs = (head.stacks.get(stack_diff.stack) or {}).get("outputs") or {}
        known = {c.path for c in stack_diff.outputs}
        stack_diff.outputs += [
            c for c in diff_values(outputs, substitute(outputs, new_values, set())) if c.path not in known
        ]
        if stack_diff.status == "unchanged" and (stack_diff.resources or stack_diff.outputs):
            stack_diff.status = "changed"


def _cascaded(
    resource: Mapping[str, Any],
    old: Mapping[str, Any],
    before: ResourceDiff | None,
    new_values: Mapping[str, str],
    replaced_providers: set[str],
    order: Mapping[str, int],
) -> ResourceDiff | None:
    """`resource` (updated as `before`, or unchanged) once the values in `new_values` are unknown."""
    rule = rule_for(resource["type"], _options(resource).get("dynamicProvider"))
    if rule is not None and (rule.component or rule.read):
        return None
    inputs = _without_unset(resource.get("inputs", {}))
    found: set[str] = set()
    unknown = substitute(inputs, {v: u for v, u in new_values.items() if u != resource["urn"]}, found)
    provider = resource.get("provider")
    if provider in replaced_providers:
        found.add(provider)
    if not found:
        return None
    ignored = list(_options(resource).get("ignoreChanges") or [])
    changes = list(before.changes) if before else []
    seen = {c.path for c in changes}
    extra = [c for c in diff_values(inputs, unknown) if c.path not in seen and not _under(c.path, ignored)]
    if not extra and provider not in replaced_providers:
        return None
    old_inputs = _without_unset(old.get("inputs", {}))
    reasons = sorted(
        dict.fromkeys(decide_replacement(resource, changes + extra, old_inputs, unknown, replaced_providers))
    )
    action: Action = "replace" if reasons else "update"
    causes = sorted(found, key=lambda u: (order.get(u, len(order)), u))
    notes = list(before.notes) if before else []
    notes.append(
        f"{', '.join(c.path for c in extra) or '(provider)'} known after apply: new id of "
        + ", ".join(describe(u) for u in causes)
    )
    if action == "replace":
        notes += _replace_notes(old, resource)
    result = _resource(action, resource, old["urn"], changes + extra, reasons, notes)
    result.cascade_from = causes
    return result
