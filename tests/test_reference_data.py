"""The reference data lives in the repository (reference/, palette_emulator/palette-apis-subset.json) and
holds what the code expects; where the project's shared folder sits beside the clone, the copies match it."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

from eks_hybrid.components.palette import _api
from palette_emulator import spec
from tests.conftest import REFERENCE, SHARED_REFERENCE

YAML_COPIES = ("nodeadm-nodeconfig-crd.yaml", "aws-e2e-cilium-values.yaml")


def api_calls() -> tuple[set[tuple[str, str]], set[str]]:
    """(method, template) of every `_call(METHOD, "template")` and `_get_or_none("template")` in `_api.py`,
    and every `/v1/...` literal in it (paging calls name their path as a literal too)."""
    tree = ast.parse(Path(_api.__file__).read_text())
    calls, literals = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("/v1/"):
            literals.add(node.value)
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name, args = getattr(node.func, "attr", ""), node.args
        if name == "_get_or_none" and isinstance(args[0], ast.Constant):
            calls.add(("GET", str(args[0].value)))
        elif name == "_call" and all(isinstance(a, ast.Constant) for a in args[:2]):
            calls.add((str(args[0].value), str(args[1].value)))  # type: ignore[attr-defined]
    return calls, literals


def test_every_call_the_client_makes_is_a_vendored_operation() -> None:
    calls, literals = api_calls()
    paths = spec.subset()["paths"]
    assert calls and calls <= set(spec.OPERATIONS)
    assert literals <= set(paths), literals - set(paths)
    for method, template in calls:
        assert method.lower() in paths[template], (method, template)


def test_the_subset_holds_exactly_the_operations_and_a_closed_set_of_definitions() -> None:
    document = spec.subset()
    held = {(m.upper(), path) for path, item in document["paths"].items() for m in item if m != "parameters"}
    assert held == set(spec.OPERATIONS)
    definitions = document["definitions"]
    assert spec.closure(definitions, definitions) == definitions  # no $ref points outside the subset
    assert spec.ERROR_DEFINITION in definitions


def test_every_operations_bodies_resolve_and_compile() -> None:
    for method, path in spec.OPERATIONS:
        op = spec.operation(method, path)
        for definition in (op.request, op.response):
            if definition not in (None, "string"):
                assert spec.validator(definition) is not None


def test_the_subset_names_its_source() -> None:
    source = spec.subset()["x-eks-hybrid-source"]
    assert source["repository"] == "spectrocloud/palette-sdk-go" and source["licence"] == "Apache-2.0"
    assert re.fullmatch(r"[0-9a-f]{40}", source["commit"]) and re.fullmatch(r"[0-9a-f]{64}", source["sha256"])
    assert spec.subset()["info"]["title"] == "Palette APIs - 4.8"


def test_the_reference_readme_attributes_every_file() -> None:
    readme = (REFERENCE / "README.md").read_text()
    for name in (*YAML_COPIES, "palette-apis-subset.json"):
        assert name in readme
    for needle in (
        "aws/eks-hybrid",
        "spectrocloud/palette-sdk-go",
        "Apache-2.0",
        "v1.0.20",
        spec.UPSTREAM["commit"],
    ):
        assert needle in readme
    assert all((REFERENCE / name).is_file() for name in YAML_COPIES)


def test_the_emulators_data_lives_beside_it() -> None:
    # The emulator is a test and demo tool run from the repository (`make emulator`), not part of the wheel.
    assert spec.SUBSET.parent == Path(spec.__file__).resolve().parent and spec.SUBSET.is_file()


if (
    SHARED_REFERENCE.is_dir()
):  # only beside the project's shared folder (CI, developers); a user's clone has none

    def test_the_vendored_spec_subset_matches_the_shared_spec() -> None:
        full = SHARED_REFERENCE / "palette-apis-spec.json"
        extracted = spec.extract(json.loads(full.read_text()))
        vendored = dict(spec.subset())
        assert vendored.pop("x-eks-hybrid-source")["sha256"] == spec.sha256(full)
        extracted.pop("x-eks-hybrid-source")
        assert vendored == extracted

    def test_the_vendored_yaml_files_are_byte_copies() -> None:
        for name in YAML_COPIES:
            assert (REFERENCE / name).read_bytes() == (SHARED_REFERENCE / name).read_bytes(), name
