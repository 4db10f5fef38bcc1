"""`components/_sdk_private.py` is the only module touching Pulumi SDK internals, and it fails loudly.

If a Pulumi release moves or reshapes one of these internals, a test here names it before a user's
`pulumi up` trips over it.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from contextvars import ContextVar
from pathlib import Path

import pulumi
import pytest
from pulumi.runtime import config as runtime_config
from pulumi.runtime import stack as runtime_stack
from pulumi.runtime import sync_await as runtime_sync_await

from eks_hybrid.components import _sdk_private

from .conftest import REPO

SOURCES = ("components", "eks_hybrid", "palette_emulator", "benchmarks", "__main__.py")


def test_the_internals_still_have_the_shape_relied_on():
    assert isinstance(runtime_config.CONFIG, ContextVar)
    assert isinstance(runtime_config.CONFIG.get(), dict)
    assert list(inspect.signature(runtime_sync_await._sync_await).parameters) == ["awaitable"]
    assert inspect.iscoroutinefunction(runtime_stack.run_pulumi_func)
    assert list(inspect.signature(runtime_stack.run_pulumi_func).parameters) == ["func"]
    for name in ("get_config_env", "get_config", "is_config_secret", "set_all_config"):
        assert name in pulumi.runtime.__all__, name


def test_verified_with_the_pinned_sdk():
    # Bumping the pulumi pin means re-checking the internals above: this test makes that step explicit.
    pins = dict(
        line.split("==") for line in (REPO / "requirements.txt").read_text().splitlines() if "==" in line
    )
    assert f"pulumi {pins['pulumi']}" == _sdk_private.VERIFIED_WITH


def test_config_items_lists_explicit_and_environment_config(monkeypatch, mock_engine):
    monkeypatch.setenv("PULUMI_CONFIG", '{"eks-hybrid:fromEnv": "1"}')
    seen = {}

    def program():
        seen.update(_sdk_private.config_items())
        seen["secret"] = _sdk_private.is_config_secret("eks-hybrid:palette")
        seen["value"] = _sdk_private.config_value("eks-hybrid:role")

    mock_engine.run(
        program,
        config={"eks-hybrid:role": "hub", "eks-hybrid:palette": '{"apiKey": "k"}'},
        secret_keys=["eks-hybrid:palette"],
    )
    assert seen["eks-hybrid:fromEnv"] == "1"
    assert seen["eks-hybrid:role"] == "hub"
    assert seen["secret"] is True
    assert seen["value"] == "hub"


def test_wait_resolves_an_output_while_the_program_runs(mock_engine):
    got = []

    def program():
        reference = pulumi.StackReference("hub")
        details = _sdk_private.wait(reference.get_output_details("vpcId"))
        got.append(details.value)
        pulumi.export("after", got[0])

    run = mock_engine.run(program, stack_references={"hub": ({"vpcId": "vpc-1"}, [])})
    assert got == ["vpc-1"]
    assert run.outputs == {"after": "vpc-1"}


def test_a_missing_internal_fails_the_import_with_its_name(monkeypatch):
    monkeypatch.delattr(runtime_sync_await, "_sync_await")
    with pytest.raises(ImportError, match=r"pulumi\.runtime\.sync_await\._sync_await"):
        importlib.reload(_sdk_private)
    monkeypatch.undo()
    importlib.reload(_sdk_private)


def test_a_reshaped_internal_fails_the_import(monkeypatch):
    monkeypatch.setattr(runtime_config, "CONFIG", {})  # no longer a ContextVar
    with pytest.raises(ImportError, match=r"CONFIG.*ContextVar"):
        importlib.reload(_sdk_private)
    monkeypatch.undo()
    importlib.reload(_sdk_private)


_INTERNAL_MODULES = {"config", "sync_await", "stack"}


def _private_sdk_uses(path: Path) -> list[str]:
    """Imports of `pulumi.runtime.<internal module>` and `_private` names from pulumi anywhere in `path`."""
    found = []
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pulumi"):
            module = node.module or ""
            internal = module in {f"pulumi.runtime.{m}" for m in _INTERNAL_MODULES}
            names = [alias.name for alias in node.names]
            if (
                internal
                or any(n.startswith("_") for n in names)
                or (module == "pulumi.runtime" and _INTERNAL_MODULES & set(names))
            ):
                where = f"{path.relative_to(REPO)}:{node.lineno}"
                found.append(f"{where}: from {module} import {', '.join(names)}")
        elif isinstance(node, ast.Attribute) and node.attr in {"_sync_await", "CONFIG", "run_pulumi_func"}:
            found.append(f"{path.relative_to(REPO)}:{node.lineno}: .{node.attr}")
    return found


def test_no_other_module_touches_sdk_internals():
    files = [p for s in SOURCES for p in ([REPO / s] if s.endswith(".py") else (REPO / s).rglob("*.py"))]
    offenders = [use for path in files if path.name != "_sdk_private.py" for use in _private_sdk_uses(path)]
    assert offenders == []
