"""Malformed plan documents, unusable path arguments and escapes in stack names: each a named refusal.

`eks-hybrid diff` used to read a plan file with `json.loads` and hand it to the diff engine as it was: a
key of the wrong type, a missing key or a NaN gave a raw traceback (exit 1). A plan file is now checked
against the one shape `plan --format json` writes (`eks_hybrid/plan_schema.py`) first, and refused with
exit 2 naming the file, the key path and the rule. The sweep takes real plan documents (`plan --format
json` of the example stacks) and deletes, retypes and nests each key in turn.

A path argument the system cannot look up (too long, a symlink loop, a file used as a folder, a NUL)
used to raise `OSError` from deep inside a command; it is now a usage error naming the option
(`eks_hybrid/cli/paths.py`). A stack file's name with an escape sequence used to reach the terminal raw
in `plan --all` headers and diff headings; it is printed escaped (`printable`).
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eks_hybrid.cli.app import app
from eks_hybrid.components.errors import printable_lines
from eks_hybrid.plan_schema import MAX_BYTES, MAX_DEPTH

from ..conftest import STACKS
from .conftest import SCALE, record

SUITE = "diff documents and paths"
runner = CliRunner()
Location = tuple[str | int, ...]
ESCAPE = "\x1b[31m\x07"


def _plan_json(*args: str) -> Any:
    result = runner.invoke(
        app, ["plan", "--stacks-dir", str(STACKS), "--offline-secrets", "--format", "json", *args]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def site_plan() -> Any:
    return _plan_json("--stack", "example-austin")


@pytest.fixture(scope="module")
def all_plans() -> Any:
    return _plan_json("--all")


def _keys(value: Any, location: Location = ()) -> Iterator[Location]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*location, key)
            yield from _keys(item, (*location, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield (*location, index)
            yield from _keys(item, (*location, index))


KINDS: list[Any] = [None, 7, "x", [], {}, True, 1.5, -(2**63)]


def _mutations(value: Any, serial: int) -> Iterator[tuple[str, Any]]:
    """Delete; retype (every other kind under EVIDENCE_PROFILE=deep, else one, in turn); nest."""
    yield "delete", None
    others = [kind for kind in KINDS if type(kind) is not type(value)]
    for kind in others if SCALE > 1 else [others[serial % len(others)]]:
        yield f"retype to {type(kind).__name__}", kind
    yield "nest", [value] if serial % 2 else {"x": value}


def _mutated(document: Any, location: Location, how: str, value: Any) -> Any:
    copied = copy.deepcopy(document)
    parent = copied
    for key in location[:-1]:
        parent = parent[key]
    if how == "delete":
        del parent[location[-1]]
    else:
        parent[location[-1]] = value
    return copied


def _diff(base: Path, head: Path, *args: str) -> Any:
    result = runner.invoke(app, ["diff", str(base), str(head), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}"
    )
    assert "Traceback" not in result.output, result.output
    assert result.exit_code in (0, 2), result.output
    return result


def _sweep(tmp_path: Path, document: Any, locations: list[Location], name: str) -> None:
    base = tmp_path / "base.json"
    base.write_text(json.dumps(document))
    head = tmp_path / "head.json"
    exits: Counter[int] = Counter()
    for serial, location in enumerate(locations):
        parent = document
        for key in location[:-1]:
            parent = parent[key]
        for how, value in _mutations(parent[location[-1]], serial):
            head.write_text(json.dumps(_mutated(document, location, how, value)))
            result = _diff(base, head)
            if result.exit_code == 2:
                assert f"{head}: " in result.stderr, result.stderr
                assert "[plan-document]" in result.stderr, result.stderr
                assert "] [plan-document]" not in result.stderr, "the code is said once"
            exits[result.exit_code] += 1
            if SCALE > 1:  # the mutated document as the base side too
                exits[_diff(head, base).exit_code] += 1
    record(
        SUITE,
        **{
            f"{name}: keys mutated": len(locations),
            f"{name}: diffs run": sum(exits.values()),
            f"{name}: refused (exit 2)": exits[2],
            f"{name}: compared (exit 0)": exits[0],
        },
    )


def test_every_key_of_a_site_plan_deleted_retyped_and_nested(tmp_path: Path, site_plan: Any) -> None:
    _sweep(tmp_path, site_plan, list(_keys(site_plan)), "site plan")


def _under_inputs(location: Location) -> bool:
    return "inputs" in location or "outputs" in location


def test_every_structural_key_of_the_plans_of_all_stacks(tmp_path: Path, all_plans: Any) -> None:
    """Every key of `plan --all --format json` but resource inputs and stack outputs (a site's are swept
    above), and every input of the hub's EKS cluster (the topology reads them)."""
    cluster = [
        (0, "resources", index)
        for index, resource in enumerate(all_plans["stacks"][0]["resources"])
        if resource["type"] == "aws:eks/cluster:Cluster"
    ]
    locations = [
        location
        for location in _keys(all_plans)
        if not _under_inputs(location) or any(location[1 : 1 + len(prefix)] == prefix for prefix in cluster)
    ]
    locations = [location for location in locations if location[:1] != ("notes",)]
    _sweep(tmp_path, all_plans, locations[:: 1 if SCALE > 1 else 10], "all plans")


def _refused(tmp_path: Path, content: bytes, site_plan: Any) -> str:
    base = tmp_path / "base.json"
    base.write_text(json.dumps(site_plan))
    head = tmp_path / "hostile.json"
    head.write_bytes(content)
    result = _diff(base, head)
    assert result.exit_code == 2, result.output
    assert f"{head}: " in result.stderr, result.stderr
    record(SUITE, **{"hostile files refused": 1})
    stderr: str = result.stderr
    return stderr


def _nested(depth: int) -> bytes:
    return b'{"stack": "x", "resources": [], "outputs": ' + b"[" * depth + b"]" * depth + b"}"


HOSTILE: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "is not JSON"),
    "not JSON": (b"{'stack': 1}", "is not JSON"),
    "a list": (b"[]", "is not an eks-hybrid plan document"),
    "NaN": (b'{"stack": "x", "resources": [], "outputs": {"a": NaN}}', "NaN is not JSON"),
    "Infinity": (b'{"stack": "x", "resources": [], "outputs": {"a": -Infinity}}', "is not JSON"),
    "a number too large": (
        b'{"stack": "x", "resources": [], "outputs": {"a": 1e999}}',
        "outputs.a: is a number",
    ),
    "an integer of 5,000 digits": (
        b'{"stack": "x", "resources": [], "outputs": {"a": ' + b"9" * 5000 + b"}}",
        "more than 20 digits",
    ),
    "nested 100 deep": (_nested(100), f"is nested more than {MAX_DEPTH} deep"),
    "nested 100,000 deep": (_nested(100_000), f"is nested more than {MAX_DEPTH} deep"),
    "Latin-1": ('{"stack": "é", "resources": []}'.encode("latin-1"), "is not UTF-8"),
    "a lone surrogate": (b'{"stack": "\\ud800", "resources": []}', "stack: is not valid Unicode"),
    "stack not a string": (b'{"stack": 1, "resources": []}', "stack: Input should be a valid string"),
    "resources not a list": (b'{"stack": "x", "resources": {}}', "resources: Input should be a valid list"),
    "a URN that is not one": (
        b'{"stack": "x", "resources": [{"urn": "x", "type": "t", "name": "n"}]}',
        "resources[0].urn: String should match pattern",
    ),
    "an error without message": (b'{"stack": "x", "error": {}}', "error.message: Field required"),
    "stacks of strings": (b'{"stacks": ["x"]}', "stacks[0]: Input should be a valid dictionary"),
    "a pool without hosts' names": (
        b'{"stack": "x", "resources": [{"urn": "urn:pulumi:x::p::t::n", "type":'
        b' "pulumi-python:dynamic:Resource", "name": "n", "inputs": {"pool": {"name": "p",'
        b' "edgeHosts": [{"uid": 1}]}}}]}',
        "resources[0].inputs.pool.edgeHosts[0].uid: Input should be a valid string",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_plan_files_are_refused_naming_file_key_and_rule(
    tmp_path: Path, site_plan: Any, case: str
) -> None:
    content, rule = HOSTILE[case]
    assert rule in _refused(tmp_path, content, site_plan)


def test_a_plan_file_too_large_is_refused_unread(tmp_path: Path, site_plan: Any) -> None:
    head = tmp_path / "hostile.json"
    with head.open("wb") as handle:  # sparse: the size without the bytes
        handle.truncate(MAX_BYTES + 1)
    base = tmp_path / "base.json"
    base.write_text(json.dumps(site_plan))
    result = _diff(base, head)
    assert result.exit_code == 2 and "is larger than" in result.stderr, result.output


LONG = "a" * 5000


def _path_cases(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "file").write_text("")
    return {
        "too long": LONG,
        "a symlink loop": str(tmp_path / "loop"),
        "a file as a folder": str(tmp_path / "file" / "x"),
        "a NUL": "stacks\x00x",
        "too long under a folder": f"{tmp_path}/{LONG}/x",
    }


COMMANDS: list[tuple[list[str], str, str]] = [
    # (the command line before the path, the option as click names it, the rest)
    (["plan", "--offline-secrets", "--stacks-dir"], "'--stacks-dir'", "--all"),
    (["plan", "--offline-secrets", "--stack"], "'--stack' / '-s'", ""),
    (["plan", "--offline-secrets", "--program"], "'--program'", ""),
    (
        ["plan", "--offline-secrets", "--all", "--stacks-dir", str(STACKS), "--outputs-dir"],
        "'--outputs-dir'",
        "",
    ),
    (["diff", str(STACKS)], "'HEAD'", ""),
    (["diff"], "'BASE'", str(STACKS)),
    (["diff", "--program"], "'--program'", "a b"),
    (["diff", "--stacks-dir"], "'--stacks-dir'", "a b"),
    (["diff", "--repo"], "'--repo'", "a b"),
    (["render", "--stack", "example-austin", "--out"], "'--out' / '-o'", ""),
    (["render", "--out", "x", "--stack"], "'--stack' / '-s'", ""),
    (["render", "--stack", "example-austin", "--out", "x", "--outputs"], "'--outputs'", ""),
    (["render", "--stack", "example-austin", "--out", "x", "--hub-outputs"], "'--hub-outputs'", ""),
    (["render", "--stack", "example-austin", "--out", "x", "--user-data"], "'--user-data'", ""),
    (["render", "--stack", "example-austin", "--out", "x", "--stacks-dir"], "'--stacks-dir'", ""),
    (["verify", "--stack"], "'--stack' / '-s'", ""),
    (["verify", "--stack", "example-austin", "--outputs"], "'--outputs'", ""),
    (["verify", "--stack", "example-austin", "--hub-outputs"], "'--hub-outputs'", ""),
    (["verify", "--stack", "example-austin", "--kubeconfig"], "'--kubeconfig'", ""),
    (["verify", "--all", "--outputs-dir"], "'--outputs-dir'", ""),
    (["stacks", "--stacks-dir"], "'--stacks-dir'", ""),
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(a for a in c[0] if "/" not in a))
def test_an_unusable_path_is_a_usage_error_naming_the_option(
    tmp_path: Path, command: tuple[list[str], str, str]
) -> None:
    before, option, after = command
    for case, path in _path_cases(tmp_path).items():
        result = runner.invoke(app, [*before, path, *after.split()], env={"COLUMNS": "400"})
        assert result.exception is None or isinstance(result.exception, SystemExit), (case, result.exception)
        assert result.exit_code == 2, (case, result.output)
        assert f"Invalid value for {option}" in result.output, (case, result.output)
        record(SUITE, **{"unusable paths refused as usage errors": 1})


def test_a_path_that_does_not_exist_yet_passes_the_check(tmp_path: Path) -> None:
    result = runner.invoke(app, ["stacks", "--stacks-dir", str(tmp_path / "nothing")])
    assert "Invalid value" not in result.output, result.output


def test_printable_lines_escapes_every_control_character_but_line_breaks_and_tabs() -> None:
    assert printable_lines(f"a{ESCAPE}b\nc\x00\u202e\td") == "a\\x1b[31m\\x07b\nc\\x00\\u202e\td"


@pytest.fixture(scope="module")
def escaped_stacks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("escapes")
    hub = (STACKS / "Pulumi.example-hub.yaml").read_bytes()
    (directory / f"Pulumi.h{ESCAPE}ub.yaml").write_bytes(hub)
    (directory / f"Pulumi.s{ESCAPE}ite.yaml").write_text("config: {eks-hybrid:role: site}\n")
    return directory


@pytest.mark.parametrize("view", [["--format", "text"], ["--format", "markdown"], ["--quiet"]])
def test_stack_names_print_escaped_in_plan_all(escaped_stacks: Path, view: list[str]) -> None:
    result = runner.invoke(
        app, ["plan", "--all", "--offline-secrets", "--stacks-dir", str(escaped_stacks), *view]
    )
    assert "Traceback" not in result.output, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output, result.output
    assert "h\\x1b[31m\\x07ub" in result.output, result.output
    assert "s\\x1b[31m\\x07ite" in result.stderr, result.stderr
    record(SUITE, **{"plan views with escaped stack names": 1})


@pytest.mark.parametrize("format", ["text", "markdown"])
def test_stack_names_print_escaped_in_diff_headings(
    tmp_path: Path, escaped_stacks: Path, format: str
) -> None:
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["diff", str(tmp_path / "empty"), str(escaped_stacks), "--format", format])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output, result.output
    assert "h\\x1b[31m\\x07ub" in result.output, result.output
    record(SUITE, **{"diff views with escaped stack names": 1})
