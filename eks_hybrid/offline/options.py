"""The resource options of one registration, as a plan document shows them.

Read from Pulumi's `RegisterResourceRequest` (sdk/proto/pulumi/resource.proto): `protect`,
`ignoreChanges`, `deleteBeforeReplace` (only when `deleteBeforeReplaceDefined`), `replaceOnChanges`,
`retainOnDelete`, `additionalSecretOutputs` and `aliases`. Aliases arrive as specs (name, type, parent,
stack, project) when the monitor supports the `aliasSpecs` feature, which the mock monitor does, or as
URNs; both are resolved to URNs here, so a diff can match a renamed resource to its old self.
"""

from __future__ import annotations

import base64
import binascii
import pickletools
import sys
from typing import Any

ROOT_TYPE = "pulumi:pulumi:Stack"
_DYNAMIC_PROVIDER_INPUT = "__provider"


def split_urn(urn: str) -> tuple[str, str, str, str]:
    """`urn:pulumi:<stack>::<project>::<qualified type>::<name>` -> its four parts."""
    head, project, qualified_type, name = urn.split("::", 3)
    return head.removeprefix("urn:pulumi:"), project, qualified_type, name


def make_urn(stack: str, project: str, qualified_type: str, name: str) -> str:
    return f"urn:pulumi:{stack}::{project}::{qualified_type}::{name}"


def child_type(parent_urn: str | None, type_token: str) -> str:
    """A child's qualified type: its parent's qualified type, `$`, its own (the stack adds no prefix)."""
    if not parent_urn:
        return type_token
    parent_type = split_urn(parent_urn)[2]
    if parent_type == ROOT_TYPE:
        return type_token
    return f"{parent_type}${type_token}"


def alias_urns(request: Any, urn: str) -> list[str]:
    """Every alias of the registration, as the URN the resource had under it."""
    stack, project, _, _ = split_urn(urn)
    found: list[str] = list(getattr(request, "aliasURNs", []) or [])
    for alias in getattr(request, "aliases", []) or []:
        if alias.urn:
            found.append(alias.urn)
            continue
        spec = alias.spec
        parent: str | None = None if spec.noParent else (spec.parentUrn or request.parent or None)
        found.append(
            make_urn(
                spec.stack or stack,
                spec.project or project,
                child_type(parent, spec.type or request.type),
                spec.name or request.name,
            )
        )
    # The mock engine qualifies top-level types with the root stack's type; the real engine does not.
    normalised = {a.replace(f"::{ROOT_TYPE}$", "::") for a in found}
    return sorted(normalised - {urn})


def dynamic_provider(raw_inputs: dict[str, Any]) -> str | None:
    """`module.Class` of a dynamic resource's provider, read from its pickle without unpickling it.

    The SDK pickles the provider with dill (`pulumi.dynamic.serialize_provider`); a provider class in an
    importable module is pickled by reference, a GLOBAL (or STACK_GLOBAL) opcode naming it.
    """
    payload = raw_inputs.get(_DYNAMIC_PROVIDER_INPUT)
    if not isinstance(payload, str):
        return None
    try:
        data = base64.b64decode(payload, validate=True)
        strings: list[str] = []
        for opcode, argument, _ in pickletools.genops(data):
            if opcode.name == "GLOBAL" and isinstance(argument, str):
                module, _, name = argument.partition(" ")
                return f"{module}.{name}"
            if opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
                return f"{strings[-2]}.{strings[-1]}"
            if isinstance(argument, str):
                strings.append(argument)
    except (binascii.Error, ValueError):
        return None
    return None


def dynamic_kind(provider_class: str | None) -> dict[str, str] | None:
    """What the dynamic resource of provider class `module.Class` is (its class's `KIND`, a
    `components._tokens.ResourceKind`): `{"token": "palette:HybridNodePool", "description": "Palette hybrid
    node pool"}`, or None for a class that says nothing. Looked up among the modules already imported (the
    program that registered the resource imported its provider), never by importing a module a plan names."""
    if not provider_class:
        return None
    module_name, _, class_name = provider_class.rpartition(".")
    kind = getattr(getattr(sys.modules.get(module_name), class_name, None), "KIND", None)
    token, description = getattr(kind, "token", None), getattr(kind, "description", None)
    if isinstance(token, str) and isinstance(description, str):
        return {"token": token, "description": description}
    return None


def type_label(type_token: str, kind: dict[str, str] | None) -> str:
    """A resource's type as trees and diffs show it: the type token, and what a dynamic resource is
    (`pulumi-python:dynamic:Resource: palette:HybridNodePool, Palette hybrid node pool`)."""
    if not kind:
        return type_token
    return f"{type_token}: {kind.get('token', '?')}, {kind.get('description', '?')}"


def recorded_options(request: Any, raw_inputs: dict[str, Any], urn: str) -> dict[str, Any]:
    options: dict[str, Any] = {"protect": bool(getattr(request, "protect", False))}
    if getattr(request, "ignoreChanges", None):
        options["ignoreChanges"] = sorted(request.ignoreChanges)
    if getattr(request, "deleteBeforeReplaceDefined", False):
        options["deleteBeforeReplace"] = bool(request.deleteBeforeReplace)
    if getattr(request, "replaceOnChanges", None):
        options["replaceOnChanges"] = sorted(request.replaceOnChanges)
    if getattr(request, "retainOnDelete", False):
        options["retainOnDelete"] = True
    if getattr(request, "additionalSecretOutputs", None):
        options["additionalSecretOutputs"] = sorted(request.additionalSecretOutputs)
    aliases = alias_urns(request, urn)
    if aliases:
        options["aliases"] = aliases
    provider_class = dynamic_provider(raw_inputs)
    if provider_class:
        options["dynamicProvider"] = provider_class
    return options
