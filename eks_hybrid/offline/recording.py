"""A mock monitor recording each registration as the provider would receive it: wire names, secrets kept."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from typing import Any

from google.protobuf import json_format
from pulumi.runtime.mocks import MockMonitor, Mocks

from .options import dynamic_kind, recorded_options

SECRET = "[secret]"
# Pulumi's wire signatures (sdk/python/lib/pulumi/runtime/rpc.py): a special object carries one of these.
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
_OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_HIDDEN_INPUTS = frozenset({"__provider"})  # a dynamic provider's pickled code: not an input a person reads


def scrub(value: Any) -> Any:
    """Wire value -> plain JSON: secrets become "[secret]", resource references their URN, 1.0 -> 1."""
    if isinstance(value, dict):
        sig = value.get(_SIG_KEY)
        if sig == _SECRET_SIG:
            return SECRET
        if sig == _RESOURCE_SIG:
            return value.get("urn", "")
        if sig == _OUTPUT_SIG:
            return SECRET if value.get("secret") else scrub(value.get("value"))
        return {k: scrub(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value == _UNKNOWN:
        return "[unknown]"
    return value


@dataclass(frozen=True)
class RecordedResource:
    urn: str
    type: str
    name: str
    parent: str | None
    custom: bool
    inputs: dict[str, Any]
    dependencies: tuple[str, ...] = field(default=())
    protect: bool = False
    provider: str | None = None
    """The explicit provider's URN; None for the engine's default provider of the type's package."""
    options: dict[str, Any] = field(default_factory=dict)
    """Resource options a reviewer and a diff need (see `offline.options.recorded_options`)."""
    aliases: tuple[str, ...] = field(default=())
    """The URNs this resource was known by before (its `aliases` option), as the engine resolves them."""
    kind: dict[str, str] | None = None
    """What a dynamic resource is, from its provider class (`offline.options.dynamic_kind`); None for
    every other resource, whose type says it."""

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "parent": self.parent,
            "custom": self.custom,
            "protect": self.protect,
            "inputs": self.inputs,
            "dependsOn": list(self.dependencies),
            "provider": self.provider,
            "options": self.options,
        }
        if self.kind is not None:
            document["kind"] = self.kind
        return document


def engine_urn(mock_urn: str) -> str:
    """The mock engine qualifies top-level types with the root stack type; the real engine does not."""
    return mock_urn.replace("::pulumi:pulumi:Stack$", "::")


def alias_urn(urn: str, alias: Any) -> str:
    """The URN an `aliases` entry stands for (a `pulumi.alias_pb2.Alias`): given outright, or a spec that
    changes the name, the type or the parent of `urn` (the engine's rule: what the spec leaves out is the
    resource's own)."""
    if not alias.HasField("spec"):
        return engine_urn(alias.urn)
    spec = alias.spec
    prefix, qualified_type, name = urn.rsplit("::", 2)
    parent_types, _, own_type = qualified_type.rpartition("$")
    own_type = spec.type or own_type
    if spec.parentUrn:
        parent_types = engine_urn(spec.parentUrn).rsplit("::", 2)[1]
        parent_types = "" if parent_types == "pulumi:pulumi:Stack" else parent_types
    elif spec.noParent:
        parent_types = ""
    qualified = f"{parent_types}${own_type}" if parent_types else own_type
    return f"{prefix}::{qualified}::{spec.name or name}"


class RecordingMonitor(MockMonitor):
    """Records registrations before the SDK strips their secretness."""

    def __init__(self, mocks: Mocks) -> None:
        super().__init__(mocks)
        self._lock = threading.Lock()
        self.recorded: dict[str, RecordedResource] = {}
        self.duplicates: list[str] = []
        self._thread = threading.local()
        self._loops: list[asyncio.AbstractEventLoop] = []

    def _thread_loop(self) -> None:
        """Give the executor thread calling the monitor an event loop of its own for this run.

        Pulumi's MockMonitor needs one on each executor thread it is called from, creates it and never closes
        it; the garbage collector later trips over those loops ("Invalid file descriptor: -1"). This monitor
        creates one per thread (not per call: a loop costs a selector and a socket pair) and `close` closes
        them when the run ends.
        """
        if threading.current_thread() is threading.main_thread() or getattr(self._thread, "loop", None):
            return
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._thread.loop = loop
        with self._lock:
            self._loops.append(loop)

    def close(self) -> None:
        """Close the executor threads' loops (call when the run is over)."""
        with self._lock:
            loops, self._loops = self._loops, []
        for loop in loops:
            loop.close()

    def _record(self, urn: str, request: Any, custom: bool, props: Any) -> None:
        raw = json_format.MessageToDict(props, preserving_proto_field_name=True)
        inputs = {k: scrub(v) for k, v in sorted(raw.items()) if k not in _HIDDEN_INPUTS}
        dependencies = tuple(sorted(engine_urn(d) for d in getattr(request, "dependencies", [])))
        own = engine_urn(urn)
        aliases = tuple(sorted(alias_urn(own, alias) for alias in getattr(request, "aliases", [])))
        provider = str(getattr(request, "provider", "") or "").rsplit("::", 1)[0]
        options = recorded_options(request, raw, own)
        resource = RecordedResource(
            urn=own,
            type=request.type,
            name=request.name,
            parent=engine_urn(request.parent) if request.parent else None,
            custom=custom,
            inputs=inputs,
            dependencies=dependencies,
            protect=bool(getattr(request, "protect", False)),
            provider=engine_urn(provider) if provider else None,
            options=options,
            aliases=aliases,
            kind=dynamic_kind(options.get("dynamicProvider")),
        )
        with self._lock:
            if resource.urn in self.recorded:
                self.duplicates.append(resource.urn)
            self.recorded[resource.urn] = resource

    def RegisterResource(self, request: Any) -> Any:
        self._thread_loop()
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self._record(response.urn, request, bool(request.custom), request.object)
        return response

    def ReadResource(self, request: Any) -> Any:
        self._thread_loop()
        response = super().ReadResource(request)
        self._record(response.urn, request, True, request.properties)
        return response

    def Invoke(self, request: Any) -> Any:
        self._thread_loop()
        return super().Invoke(request)
