"""`Pulumi.yaml` declares the project's config as Pulumi accepts it, and agrees with the config models.

The rules are Pulumi's own (pulumi/pulumi `sdk/go/common/workspace/project.go` `Project.Validate` and
`ValidateConfigValue`, `config.go` `mergeConfig`; docs "Project file reference", `config` options):
types are string, integer, boolean or array (with `items`); a default must have the declared type; a
project key with neither default nor value is required of every stack; a default is applied to every
stack that lacks the key; keys of other namespaces may only carry a `value`.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from eks_hybrid.components.config import HubConfig, SiteConfig

from .conftest import REPO, STACKS

PROJECT = yaml.safe_load((REPO / "Pulumi.yaml").read_text())
DECLARED: dict[str, dict[str, Any]] = PROJECT.get("config") or {}
TYPES = {"string", "integer", "boolean", "array"}


def _full_key(key: str) -> str:
    return key if ":" in key else f"{PROJECT['name']}:{key}"


def _aliases(model: type) -> dict[str, Any]:
    return {field.alias: field for field in model.model_fields.values() if field.alias}


def _pulumi_accepts(type_name: str, items: dict | None, value: Any) -> bool:
    """`ValidateConfigValue`: what `pulumi up` accepts for a typed key (values arrive as YAML or strings)."""
    if type_name == "string":
        return isinstance(value, str)
    if type_name == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or bool(
            isinstance(value, str) and re.fullmatch(r"-?\d+", value)
        )
    if type_name == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    return (
        isinstance(value, list)
        and items is not None
        and all(_pulumi_accepts(items["type"], items.get("items"), item) for item in value)
    )


def test_runtime_and_layout():
    assert PROJECT["name"] == "eks-hybrid"
    assert PROJECT["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}}
    assert PROJECT["stackConfigDir"] == "stacks"
    assert (REPO / "__main__.py").is_file() and "main" not in PROJECT


def test_declares_config():
    assert {"eks-hybrid:role", "eks-hybrid:protect"} <= {_full_key(k) for k in DECLARED}


@pytest.mark.parametrize("key", sorted(DECLARED))
def test_each_declaration_is_valid_for_pulumi(key):
    declaration = DECLARED[key]
    assert _full_key(key).startswith("eks-hybrid:"), "other namespaces may only set a value for all stacks"
    assert set(declaration) <= {"type", "description", "default", "secret", "items"}
    assert declaration["type"] in TYPES, "objects cannot be typed in Pulumi.yaml"
    assert declaration.get("description", "").strip()
    if declaration["type"] == "array":
        assert declaration.get("items", {}).get("type") in TYPES
    if "default" in declaration:
        assert _pulumi_accepts(declaration["type"], declaration.get("items"), declaration["default"])


@pytest.mark.parametrize("key", sorted(DECLARED))
def test_each_declared_key_means_the_same_to_both_roles(key):
    # Pulumi applies a default to every stack and requires a key without one of every stack, so a
    # declared key must be one both hub and site stacks take, with the model's own default.
    full = _full_key(key)
    hub, site = _aliases(HubConfig)[full], _aliases(SiteConfig)[full]
    declaration = DECLARED[key]
    if "default" in declaration:
        assert hub.default == site.default == declaration["default"]
    else:
        assert hub.is_required() and site.is_required()


@pytest.mark.parametrize("path", sorted(STACKS.glob("Pulumi.*.yaml")), ids=lambda p: p.name)
def test_every_example_stack_passes_pulumis_type_checks(path):
    config = yaml.safe_load(path.read_text())["config"]
    for key, declaration in DECLARED.items():
        full = _full_key(key)
        if full in config:
            assert _pulumi_accepts(declaration["type"], declaration.get("items"), config[full]), full
        else:
            assert "default" in declaration, f"{path.name} lacks {full}, which has no default"


def test_every_config_key_is_documented():
    # The reference is generated from the models (tests/docs/test_reference.py keeps it current); this
    # reads the committed page, as a user does.
    reference = (REPO / "docs" / "reference" / "configuration.md").read_text()
    keys = set(_aliases(HubConfig)) | set(_aliases(SiteConfig))
    assert [key for key in sorted(keys) if f"| `{key}` |" not in reference] == []
