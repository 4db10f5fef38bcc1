"""The documentation's reference pages are generated from the models and the CLI, and committed current."""

from __future__ import annotations

import pytest

from tools import docs_reference
from tools.docs_reference import Key, stack_keys


def test_the_committed_reference_pages_are_current() -> None:
    for path, text in docs_reference.pages().items():
        assert path.read_text() == text, (
            f"{path.name} is stale: run .venv/bin/python -m tools.docs_reference --write"
        )


def test_every_key_is_found_with_its_path_as_written_type_and_default() -> None:
    keys = {key.path: key for role in stack_keys().values() for key in role}
    assert keys["eks-hybrid:cluster.nodeGroup.diskSizeGib"] == Key(
        "eks-hybrid:cluster.nodeGroup.diskSizeGib", "integer", "`50`", "at least 40, at most 16384"
    )
    assert keys["eks-hybrid:sites.<name>.routeVia"].type == "`transitGateway` \\| `site`"
    assert keys["eks-hybrid:sites.<name>.tunnelInsideCidrs"].default == "`[]`"
    assert keys["eks-hybrid:site.nodePools[].edgeHosts[].uid"].default == "required"
    assert keys["eks-hybrid:credentials.iamRolesAnywhere.certificateAuthorityPem"].type == "secret string"
    assert keys["eks-hybrid:palette.profile.cni.tag"].default == "`0.1.0`"


def test_a_key_without_a_description_or_a_description_of_no_key_stops_the_generation() -> None:
    keys = [Key("eks-hybrid:a", "string", "required", ""), Key("eks-hybrid:a.b", "string", "required", "")]
    with pytest.raises(SystemExit, match=r"hub key eks-hybrid:a\.b: 0 descriptions"):
        docs_reference._described("hub", keys, {"eks-hybrid:a": "A."})
    with pytest.raises(SystemExit, match=r"hub: eks-hybrid:gone describes no key"):
        docs_reference._described("hub", keys[:1], {"eks-hybrid:a": "A.", "eks-hybrid:gone": "G."})
    rows = docs_reference._described("hub", keys, {"eks-hybrid:a": "A.", "*.b": "B  b."})
    assert [text for _, text in rows] == ["A.", "B b."]


def test_the_cli_page_holds_every_commands_help() -> None:
    page = docs_reference.CLI_PAGE.read_text()
    assert docs_reference.commands() == ["plan", "render", "diff", "stacks", "verify"]
    for command in docs_reference.commands():
        assert f"## eks-hybrid {command}\n" in page
        assert f"Usage: eks-hybrid {command} [OPTIONS]" in page
    assert "╭" not in page and "\x1b" not in page  # plain text: no rich boxes, no terminal escapes
