"""The floor: a bare Pulumi program registering the very resources a plan registered, nothing else.

It reads a recording (one JSON object a line, parents and dependencies first: see `record_plans`) and, in one
`set_mocks` run with Pulumi's own `MockMonitor`, registers each resource with the class a program would use
(`pulumi_aws.ec2.Route`, `pulumi_kubernetes.helm.v3.Release`, `pulumi.StackReference`, a dynamic resource
with the same provider, a plain `ComponentResource` with the same type token), the same name, inputs, parent,
dependencies, provider and options. Its mocks answer with the inputs; it reads no config, checks nothing,
invokes nothing and records nothing. What our plan costs above this is eks-hybrid's own.

`python benchmarks/floor.py RECORDING` runs it as a whole process (the same interpreter settings as the CLI).
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import re
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from eks_hybrid.runtime_tuning import tune_gc  # noqa: E402

_PACKAGES = {
    "aws": "pulumi_aws",
    "kubernetes": "pulumi_kubernetes",
    "tls": "pulumi_tls",
    "time": "pulumiverse_time",
    "command": "pulumi_command",
}
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def resource_class(type_token: str) -> type | None:
    """The class a program registers `type_token` with; None for a component of our own or a CRD."""
    package, _, rest = type_token.partition(":")
    module_path, _, kind = rest.rpartition(":")
    if package == "pulumi" and module_path == "providers":
        return getattr(importlib.import_module(_PACKAGES[kind]), "Provider")  # noqa: B009
    if package not in _PACKAGES:
        return None
    module = module_path.split("/")[0] if package != "kubernetes" else module_path
    if package == "kubernetes":
        group, _, version = module_path.partition("/")
        group = {"helm.sh": "helm"}.get(group, group)
        if "." in group:
            return None  # a custom resource: `apiextensions.CustomResource`
        module = f"{group}.{version}"
    name = _PACKAGES[package] + ("" if module == "index" else f".{module}")
    found: type = getattr(importlib.import_module(name), kind)
    return found


def import_classes(type_tokens: Iterable[str]) -> list[type]:
    """The classes of these types, imported (pulumi-aws and pulumi-kubernetes load a module on first use)."""
    return [cls for token in sorted(type_tokens) if (cls := resource_class(token)) is not None]


def recorded_types(recording: Path) -> set[str]:
    return {record["type"] for record in read_recording(recording)}


def _keyword_names(parameters: frozenset[str]) -> dict[str, str]:
    """Wire name (lower-cased, as `routetableid`) -> the constructor's keyword (`route_table_id`), read from
    the constructor's own parameters (the check in `plan_scale.py` proves the replay faithful)."""
    return {name.replace("_", "").lower(): name for name in parameters}


class Replay:
    """Registers recorded resources; `objects` maps each recorded (stack, URN) to the floor's resource."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], Any] = {}
        self._names: dict[type, dict[str, str]] = {}
        self._parameters: dict[type, frozenset[str]] = {}
        self._providers: dict[str, Any] = {}

    def prepare(self, type_tokens: Iterable[str]) -> None:
        """Import every class and learn its keyword names, before the clock starts (`import_classes` does the
        same imports for eks-hybrid's side of the comparison)."""
        for cls in import_classes(type_tokens):
            init = getattr(cls, "_internal_init", None) or cls
            self._parameters[cls] = frozenset(inspect.signature(init).parameters)
            self._names[cls] = _keyword_names(self._parameters[cls])

    def _options(self, record: dict[str, Any]) -> Any:
        import pulumi

        stack = record["stack"]
        options = record.get("options") or {}
        parent = self.objects.get((stack, record["parent"])) if record.get("parent") else None
        provider = self.objects.get((stack, record["provider"])) if record.get("provider") else None
        return pulumi.ResourceOptions(
            parent=parent,
            depends_on=[
                self.objects[(stack, d)] for d in record.get("deps", ()) if (stack, d) in self.objects
            ],
            provider=provider,
            protect=options.get("protect"),
            aliases=options.get("aliases"),
            ignore_changes=options.get("ignoreChanges"),
            delete_before_replace=options.get("deleteBeforeReplace"),
            replace_on_changes=options.get("replaceOnChanges"),
            retain_on_delete=options.get("retainOnDelete"),
            additional_secret_outputs=options.get("additionalSecretOutputs"),
        )

    def _dynamic_provider(self, dotted: str) -> Any:
        if dotted not in self._providers:
            module, _, name = dotted.rpartition(".")
            self._providers[dotted] = getattr(importlib.import_module(module), name)()
        return self._providers[dotted]

    def register(self, record: dict[str, Any]) -> None:
        import pulumi
        import pulumi.dynamic

        token, name, inputs = record["type"], record["name"], record["inputs"]
        opts = self._options(record)
        if token == "pulumi:pulumi:StackReference":
            resource: Any = pulumi.StackReference(name, stack_name=inputs.get("name"), opts=opts)
        elif token == "pulumi-python:dynamic:Resource":
            provider = self._dynamic_provider(record["options"]["dynamicProvider"])
            resource = _dynamic_resource_class()(provider, name, dict(inputs), opts)
        elif token.startswith("kubernetes:") and resource_class(token) is None:
            import pulumi_kubernetes as k8s

            resource = k8s.apiextensions.CustomResource(
                name,
                api_version=inputs["apiVersion"],
                kind=inputs["kind"],
                metadata=inputs.get("metadata"),
                spec=inputs.get("spec"),
                opts=opts,
            )
        else:
            cls = resource_class(token)
            if cls is None:
                resource = pulumi.ComponentResource(token, name, None, opts)
                resource.register_outputs({})
            else:
                names = self._names[cls]
                keywords = {names.get(k.lower()) or _snake(k): v for k, v in inputs.items()}
                unknown = set(keywords) - self._parameters[cls]
                if unknown:
                    raise TypeError(f"{token} takes no {sorted(unknown)}: the floor cannot replay {name}")
                resource = cls(name, opts=opts, **keywords)
        self.objects[(record["stack"], record["urn"])] = resource


def _dynamic_resource_class() -> type:
    """A dynamic resource class as a program declares one (the SDK names its type in the subclass)."""
    import pulumi.dynamic

    global _DYNAMIC
    if _DYNAMIC is None:

        class FloorDynamicResource(pulumi.dynamic.Resource):
            pass

        _DYNAMIC = FloorDynamicResource
    return _DYNAMIC


_DYNAMIC: type | None = None


def read_recording(path: Path) -> Iterator[dict[str, Any]]:
    with path.open() as lines:
        for line in lines:
            yield json.loads(line)


def floor_mocks() -> Any:
    from pulumi.runtime.mocks import Mocks

    class FloorMocks(Mocks):
        """The engine's answer to every registration: an id and the inputs as the state."""

        def new_resource(self, args: Any) -> tuple[str, dict[str, Any]]:
            return f"{args.name}-id", args.inputs

        def call(self, args: Any) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
            return {}, None

    return FloorMocks()


def run_floor(recording: Path, *, monitor: Any = None, per_stack: bool = False) -> dict[str, Any]:
    """Register every recorded resource in one mock-engine run (or, `per_stack`, one run per recorded stack,
    on one event loop, as eks-hybrid plans); returns the wall time (reading the recording excluded) and the
    number of resources."""
    import pulumi
    from pulumi.runtime import mocks as pulumi_mocks

    from eks_hybrid.components._sdk_private import run_program

    replay = Replay()
    replay.prepare(recorded_types(recording))
    parsing = 0.0
    count = 0
    lines = recording.open()
    pending: list[dict[str, Any]] = []

    def next_record() -> dict[str, Any] | None:
        nonlocal parsing
        if pending:
            return pending.pop()
        started = time.perf_counter()
        line = lines.readline()
        record = json.loads(line) if line else None
        parsing += time.perf_counter() - started
        return record

    def program() -> None:
        nonlocal count
        stack = None
        while (record := next_record()) is not None:
            if per_stack and stack is not None and record["stack"] != stack:
                pending.append(record)  # the next run's first
                return
            stack = record["stack"]
            replay.register(record)
            count += 1

    mocks = floor_mocks()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    tune_gc()
    start = time.perf_counter()
    runs = 0
    while runs == 0 or (per_stack and pending):
        pulumi.runtime.reset_options(project="floor", stack=f"floor{runs}", preview=False)
        pulumi_mocks.set_mocks(mocks, project="floor", stack=f"floor{runs}", preview=False, monitor=monitor)
        loop.run_until_complete(run_program(program))
        runs += 1
    wall = time.perf_counter() - start - parsing
    loop.close()
    lines.close()
    return {"wall": wall, "resources": count, "runs": runs}


if __name__ == "__main__":
    result = run_floor(Path(sys.argv[1]), per_stack="--per-stack" in sys.argv[2:])
    print(json.dumps(result))
