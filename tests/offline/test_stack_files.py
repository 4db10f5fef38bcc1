"""Reading stack files without decrypting: `secure:` values become placeholders, keys marked secret."""

from __future__ import annotations

import pytest
import yaml

from eks_hybrid.components.errors import ConfigError
from eks_hybrid.stack_files import list_stacks, read_stack_file

from ..conftest import STACKS


def test_secure_values_become_placeholders_and_secret_keys(tmp_path):
    config = yaml.safe_load((STACKS / "Pulumi.example-dallas.yaml").read_text())["config"]
    tunnels = config["eks-hybrid:site"]["connectivity"]["siteToSiteVpn"]["tunnels"]
    tunnels[0]["presharedKey"] = {"secure": "v1:bm9uY2U=:Y2lwaGVydGV4dC0x"}
    config["eks-hybrid:palette"] = {"apiKey": {"secure": "v1:bm9uY2U=:Y2lwaGVydGV4dC0y"}}
    (tmp_path / "Pulumi.dallas.yaml").write_text(yaml.safe_dump({"config": config}))
    stack = read_stack_file(tmp_path, "dallas")
    tunnels = stack.document["eks-hybrid:site"]["connectivity"]["siteToSiteVpn"]["tunnels"]
    assert [t.get("presharedKey") for t in tunnels] == ["[secret]", None]
    assert stack.secret_keys == {"eks-hybrid:site", "eks-hybrid:palette"}
    assert stack.role == "site" and stack.hub == "example-hub"


def test_runtime_config_is_strings_with_json_objects():
    config = read_stack_file(STACKS, "example-hub").runtime_config()
    assert config["eks-hybrid:role"] == "hub"
    assert config["eks-hybrid:cluster"].startswith("{")


def test_examples_are_listed():
    assert "example-hub" in list_stacks(STACKS)


def test_bad_yaml(tmp_path):
    (tmp_path / "Pulumi.x.yaml").write_text("config: [unclosed")
    with pytest.raises(ConfigError, match="is not valid YAML"):
        read_stack_file(tmp_path, "x")


def test_missing_config_mapping(tmp_path):
    (tmp_path / "Pulumi.x.yaml").write_text("encryptionsalt: abc\n")
    with pytest.raises(ConfigError, match="top-level `config:` mapping"):
        read_stack_file(tmp_path, "x")
