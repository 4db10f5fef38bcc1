"""Which property changes replace a resource: the table in `replacements.json`, applied to a change list."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from .values import MISSING, Change, as_document, strip_indexes

DYNAMIC_TYPE = "pulumi-python:dynamic:Resource"
_SOURCE_KINDS = ("cidrIpv4", "cidrIpv6", "prefixListId", "referencedSecurityGroupId")


@dataclass(frozen=True)
class Rule:
    """The replace-on-change facts of one resource type (or one dynamic provider class)."""

    replace_on: tuple[str, ...] = ()
    conditional: tuple[dict[str, Any], ...] = ()
    component: bool = False
    read: bool = False
    source: str = ""
    by_provider: dict[str, Rule] = field(default_factory=dict)
    renews: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Input -> the outputs an in-place update of it makes new (the cascade treats them as a replaced
    resource's id)."""


@cache
def table() -> dict[str, Rule]:
    raw = json.loads(resources.files(__package__).joinpath("replacements.json").read_text())
    return {key: _rule(entry) for key, entry in raw.items() if not key.startswith("_")}


def _rule(entry: dict[str, Any], source: str = "") -> Rule:
    return Rule(
        replace_on=tuple(entry.get("replaceOn", ())),
        conditional=tuple(entry.get("conditional", ())),
        component=bool(entry.get("component")),
        read=bool(entry.get("read")),
        source=str(entry.get("source", source)),
        renews={k: tuple(v) for k, v in (entry.get("renews") or {}).items()},
        by_provider={
            name: _rule(sub, str(entry.get("source", "")))
            for name, sub in (entry.get("byProvider") or {}).items()
        },
    )


def rule_for(type_token: str, dynamic_provider: str | None = None) -> Rule | None:
    """The rule of a type; for dynamic resources, of the provider class (`module.Class` or `Class`)."""
    rule = table().get(type_token)
    if rule is None and type_token.startswith("eks-hybrid:"):
        return Rule(component=True, source="eks-hybrid component resource")
    if rule is not None and rule.by_provider:
        if not dynamic_provider:
            return None
        return rule.by_provider.get(dynamic_provider.rsplit(".", 1)[-1])
    return rule


def _hits(rule_path: str, change_path: str) -> bool:
    """A change at, under, or above (a whole object added or removed) a replace-on-change property."""
    path = strip_indexes(change_path)
    return (
        path == rule_path
        or path.startswith((f"{rule_path}.", f"{rule_path}["))
        or (rule_path.startswith(f"{path}."))
    )


def replace_reasons(
    rule: Rule, changes: list[Change], old_inputs: dict[str, Any], new_inputs: dict[str, Any]
) -> list[str]:
    """The properties whose change replaces the resource, each as the path that changed."""
    reasons: list[str] = []
    for change in changes:
        if "*" in rule.replace_on or any(_hits(p, change.path) for p in rule.replace_on):
            reasons.append(change.path)
    for condition in rule.conditional:
        reason = _conditional(condition, changes, old_inputs, new_inputs)
        if reason:
            reasons.append(reason)
    return sorted(dict.fromkeys(reasons))


def _conditional(
    condition: dict[str, Any], changes: list[Change], olds: dict[str, Any], news: dict[str, Any]
) -> str | None:
    when, prop = condition["when"], condition["property"]
    if when == "changedFromTo":
        if olds.get(prop, MISSING) == condition["from"] and news.get(prop, MISSING) == condition["to"]:
            return f"{prop} ({condition['from']} -> {condition['to']})"
        return None
    if when == "removed":
        return f"{prop} (removed)" if prop in olds and prop not in news else None
    if when == "sourceKindChanged":
        old_kind = next((k for k in _SOURCE_KINDS if k in olds), None)
        new_kind = next((k for k in _SOURCE_KINDS if k in news), None)
        return f"{old_kind} -> {new_kind}" if old_kind != new_kind else None
    if when == "kubeconfigClusterChanged":
        old_server, new_server = _kube_server(olds.get(prop)), _kube_server(news.get(prop))
        return f"{prop} (cluster {old_server} -> {new_server})" if old_server != new_server else None
    raise ValueError(f"unknown replacement condition {when!r}")


def _kube_server(kubeconfig: Any) -> str | None:
    document = as_document(kubeconfig)
    if not isinstance(document, dict):
        return None
    clusters = document.get("clusters") or []
    current = document.get("current-context")
    context = next((c for c in document.get("contexts") or [] if c.get("name") == current), None)
    name = (context or {}).get("context", {}).get("cluster")
    cluster = next((c for c in clusters if c.get("name") == name), clusters[0] if clusters else None)
    return ((cluster or {}).get("cluster") or {}).get("server")
