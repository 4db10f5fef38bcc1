"""The shape of a plan document, checked before `eks-hybrid diff` reads one: the one home of that shape.

`plan --format json` writes one stack's document (`StackPlan.to_json()` plus its policy verdict), one
stack's error document, or a set of them (`plan_documents.plans_document`). A file given to `diff` is read
here: at most `MAX_BYTES`, UTF-8, JSON without NaN or Infinity, nested at most `MAX_DEPTH` deep, integers
of at most `MAX_INT_DIGITS` digits, no lone surrogates, then validated against the models below. Anything
else is a `PlanDocumentError` naming the file, the key path and the rule. Keys the diff does not read are
allowed (a newer eks-hybrid may add some); resource inputs and outputs are free JSON values.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError

from .components.codes import Code
from .components.errors import Problem, ProblemsError, Reason, key_path, shown
from .diff.danger import HELM_RELEASE
from .policy.rules import EKS_CLUSTER

MAX_BYTES = 64 * 2**20
"""The largest plan file read (the example plans of every stack together are about 250 KiB)."""
MAX_DEPTH = 64
"""The deepest nesting of lists and objects (the example plans reach 16)."""
MAX_INT_DIGITS = 20
"""The longest integer (a 64-bit integer has at most 20 digits)."""

URN_PATTERN = r"^urn:pulumi:[^:]*::[^:]*::[^\x00]*::[^\x00]*$"
"""`urn:pulumi:<stack>::<project>::<qualified type>::<name>` (`offline.options.split_urn` splits it)."""


class PlanDocumentError(ProblemsError):
    headline = "invalid plan document"
    code = Code.PLAN_DOCUMENT


class _Shape(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


Urn = str


class Options(_Shape):
    protect: bool = False
    aliases: list[Urn] = Field(default_factory=list)
    ignoreChanges: list[str] | None = None
    replaceOnChanges: list[str] | None = None
    deleteBeforeReplace: bool = False
    dynamicProvider: str | None = None
    additionalSecretOutputs: list[str] | None = None


class Resource(_Shape):
    urn: str = Field(pattern=URN_PATTERN)
    type: str = Field(min_length=1)
    name: str
    inputs: dict[str, JsonValue]
    options: Options | None = None
    provider: str | None = Field(default=None, pattern=URN_PATTERN)
    parent: str | None = Field(default=None, pattern=URN_PATTERN)
    protect: bool = False
    custom: bool = True
    kind: dict[str, str] | None = None
    dependsOn: list[str] = Field(default_factory=list)


class Policy(_Shape):
    violations: list[dict[str, JsonValue]] = Field(default_factory=list)


class Outputs(_Shape):
    """A stack's outputs: free JSON values, but for those the diff's topology picks by value."""

    kind: str | None = None


class StackDocument(_Shape):
    stack: str = Field(min_length=1)
    role: str = "unknown"
    resources: list[Resource]
    outputs: Outputs = Field(default_factory=Outputs)
    configSecrets: dict[str, str] = Field(default_factory=dict)
    policy: Policy | None = None


class ErrorBody(_Shape):
    message: str


class ErrorDocument(_Shape):
    stack: str = Field(min_length=1)
    error: ErrorBody


class EdgeHost(_Shape):
    name: str
    uid: str


class NodePool(_Shape):
    name: str
    architecture: str = ""
    edgeHosts: list[EdgeHost] | None = None


class PoolInputs(_Shape):
    """A Palette node pool's dynamic resource (`inputs.pool`), as the diff's topology draws it."""

    pool: NodePool


class Cidrs(_Shape):
    cidrs: list[str] | None = None


class RemoteNetworks(_Shape):
    remoteNodeNetworks: Cidrs | None = None
    remotePodNetworks: Cidrs | None = None


class VpcConfig(_Shape):
    endpointPublicAccess: bool | None = None


class ClusterInputs(_Shape):
    """An EKS cluster, as the diff's topology and dangers read it."""

    vpcConfig: VpcConfig | None = None
    remoteNetworkConfig: RemoteNetworks | None = None


class ReleaseInputs(_Shape):
    """A Helm release, as the diff's dangers read it (Cilium's routing mode in its values)."""

    values: dict[str, JsonValue] | None = None


INPUTS: dict[str, tuple[str | None, type[_Shape]]] = {
    EKS_CLUSTER: (None, ClusterInputs),
    "pulumi-python:dynamic:Resource": ("pool", PoolInputs),
    HELM_RELEASE: (None, ReleaseInputs),
}
"""Resource type -> (the input key that selects the shape, None for every resource of the type; the
shape of the inputs the diff reads). Every other input is a free JSON value."""


class PlansDocument(_Shape):
    format: str | None = None
    stacks: list[StackDocument]
    errors: dict[str, ErrorBody | str] = Field(default_factory=dict)


def _problem(file: str, location: tuple[str | int, ...], rule: str) -> Problem:
    return Problem.of(file, key_path(location) or "(document)", Reason(Code.PLAN_DOCUMENT, rule))


def _scan(file: str, document: Any) -> list[Problem]:
    """Depth, numbers and strings, without recursion (a document nested too deep is the case to refuse)."""
    problems: list[Problem] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(document, ())]
    while stack and len(problems) < 20:
        value, location = stack.pop()
        if len(location) > MAX_DEPTH:
            problems.append(_problem(file, location[:MAX_DEPTH], f"is nested more than {MAX_DEPTH} deep"))
            continue
        if isinstance(value, dict):
            for key, item in value.items():
                if _bad_text(key):
                    problems.append(
                        _problem(file, location, f"has a key that is not valid Unicode: {shown(key)}")
                    )
                stack.append((item, (*location, key)))
        elif isinstance(value, list):
            stack.extend((item, (*location, index)) for index, item in enumerate(value))
        elif isinstance(value, float) and not math.isfinite(value):
            problems.append(_problem(file, location, "is a number too large for a plan"))
        elif isinstance(value, str) and _bad_text(value):
            problems.append(_problem(file, location, "is not valid Unicode (a lone surrogate)"))
    return problems


def _bad_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer of more than {MAX_INT_DIGITS} digits")
    return int(text)


def _constant(text: str) -> float:
    raise ValueError(f"{text} is not JSON")


def parse_plan_json(file: str, data: bytes) -> Any:
    """`data` as JSON, or a `PlanDocumentError` naming `file`: UTF-8, no NaN, no huge number, not too deep."""
    if len(data) > MAX_BYTES:
        raise PlanDocumentError([_problem(file, (), f"is larger than {MAX_BYTES // 2**20} MiB")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PlanDocumentError([_problem(file, (), f"is not UTF-8 (byte {exc.start})")]) from None
    try:
        document = json.loads(text, parse_int=_integer, parse_constant=_constant)
    except RecursionError:
        raise PlanDocumentError([_problem(file, (), f"is nested more than {MAX_DEPTH} deep")]) from None
    except ValueError as exc:  # json.JSONDecodeError is one
        raise PlanDocumentError([_problem(file, (), f"is not JSON: {shown(str(exc), 200)}")]) from None
    problems = _scan(file, document)
    if problems:
        raise PlanDocumentError(problems)
    return document


def validate_plan_document(file: str, document: Any) -> dict[str, Any]:
    """`document` as the diff reads it, or a `PlanDocumentError` naming `file`, each key path and rule."""
    if isinstance(document, dict) and "stacks" in document:
        model: type[BaseModel] = PlansDocument
    elif isinstance(document, dict) and "resources" in document:
        model = StackDocument
    elif isinstance(document, dict) and "error" in document:
        model = ErrorDocument
    else:
        rule = "is not an eks-hybrid plan document (an object with `stacks`, `resources` or `error`)"
        raise PlanDocumentError([_problem(file, (), rule)])
    problems = _errors(file, model, document, ())
    if not problems:
        for location, resource in _resources(document):
            selector, shape = INPUTS.get(resource["type"], (None, None))
            if shape is not None and (selector is None or selector in resource.get("inputs", {})):
                problems += _errors(file, shape, resource.get("inputs", {}), (*location, "inputs"))
    if problems:
        raise PlanDocumentError(problems)
    # The document itself (not the model's dump): the diff compares the values exactly as written.
    checked: dict[str, Any] = document
    return checked


def _errors(file: str, model: type[BaseModel], value: Any, location: tuple[str | int, ...]) -> list[Problem]:
    try:
        model.model_validate(value)
    except ValidationError as exc:
        return [
            _problem(file, (*location, *error["loc"]), error["msg"])
            for error in exc.errors(include_input=False)
        ]
    return []


def _resources(document: dict[str, Any]) -> list[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Each resource of a validated document, with its location."""
    if "stacks" in document:
        return [
            (("stacks", s, "resources", r), resource)
            for s, stack in enumerate(document["stacks"])
            for r, resource in enumerate(stack["resources"])
        ]
    return [(("resources", r), resource) for r, resource in enumerate(document.get("resources", []))]


def read_plan_document(path: Path) -> dict[str, Any]:
    """The plan document in the file at `path` (read at most `MAX_BYTES` + 1 bytes), checked."""
    with path.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    return validate_plan_document(str(path), parse_plan_json(str(path), data))
