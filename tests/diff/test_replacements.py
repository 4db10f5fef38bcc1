"""The replacement table covers every resource type the project declares, and our providers agree with it."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from eks_hybrid.components.cni import crd_wait
from eks_hybrid.components.palette import providers
from eks_hybrid.diff.replacements import DYNAMIC_TYPE, rule_for, table
from eks_hybrid.diff.sources import plan_directory

from ..conftest import copy_examples


def _verify_after_deploy(config: dict[str, Any]) -> None:
    config["eks-hybrid:verify"] = True


@pytest.fixture(scope="module")
def declared(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """Every resource of every example stack's plan, with the opt-in post-deploy step (`eks-hybrid:verify`)
    on in a hub and a site, so that its types are covered too."""
    stacks = copy_examples(
        tmp_path_factory.mktemp("replacements"),
        {"example-hub": _verify_after_deploy, "example-dallas": _verify_after_deploy},
    )
    plans = plan_directory(stacks)
    assert not plans.errors, plans.errors
    return [r for document in plans.stacks.values() for r in document["resources"]]


def test_every_declared_type_has_an_entry(declared: list[dict[str, Any]]) -> None:
    missing = sorted(
        {
            r["type"] if r["type"] != DYNAMIC_TYPE else f"{r['type']} ({r['options'].get('dynamicProvider')})"
            for r in declared
            if rule_for(r["type"], (r.get("options") or {}).get("dynamicProvider")) is None
        }
    )
    assert missing == []
    assert "command:local:Command" in {r["type"] for r in declared}


def test_every_entry_names_its_source() -> None:
    for type_token, rule in table().items():
        assert rule.source, type_token
        if not (rule.component or rule.read or type_token.startswith("kubernetes:")):
            assert any(word in rule.source for word in ("ForceNew", "RequiresReplace", "diff", "Diff")), (
                type_token
            )


def test_every_palette_provider_class_has_an_entry() -> None:
    classes = {
        c.__name__
        for c in vars(providers).values()
        if isinstance(c, type) and issubclass(c, providers.PaletteProvider)
    }
    classes.discard("PaletteProvider")
    assert classes | {type(crd_wait.PROVIDER).__name__} == set(table()[DYNAMIC_TYPE].by_provider)


def _set(document: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        document = document.setdefault(key, {})
    document[last] = value


def test_the_table_matches_each_palette_providers_own_diff(declared: list[dict[str, Any]]) -> None:
    """Change each replace-on key of the table: the provider's `diff` replaces; another key: it does not."""
    instances: dict[str, Any] = {
        type(p).__name__: p for p in vars(providers).values() if isinstance(p, providers.PaletteProvider)
    }
    instances["CrdsEstablishedProvider"] = crd_wait.PROVIDER
    seen = set()
    for resource in declared:
        provider_class = (resource.get("options") or {}).get("dynamicProvider", "").rsplit(".", 1)[-1]
        if resource["type"] != DYNAMIC_TYPE or provider_class in seen:
            continue
        seen.add(provider_class)
        provider, rule = instances[provider_class], rule_for(DYNAMIC_TYPE, provider_class)
        assert rule is not None
        olds = json.loads(json.dumps(resource["inputs"]))
        for key in rule.replace_on:
            news = copy.deepcopy(olds)
            _set(news, key, "changed-value")
            assert provider.diff("id", olds, news).replaces, (provider_class, key)
        news = copy.deepcopy(olds)
        news["pollSeconds"] = 7
        assert not provider.diff("id", olds, news).replaces, provider_class
    assert seen == set(table()[DYNAMIC_TYPE].by_provider)


def _library_aws_types() -> set[str]:
    """Every pulumi-aws resource class the library's source constructs, as its type token."""
    import importlib
    import inspect
    import re

    from ..conftest import REPO

    constructed = set()
    for path in (REPO / "components").rglob("*.py"):
        constructed |= set(re.findall(r"\baws\.([a-z0-9_]+)\.([A-Z][A-Za-z0-9]+)\(", path.read_text()))
    tokens = set()
    for module, name in constructed:
        resource_class = getattr(importlib.import_module(f"pulumi_aws.{module}"), name)
        if not inspect.isclass(resource_class) or name.endswith("Args"):
            continue
        match = re.search(r"'(aws:[^']+)'", inspect.getsource(resource_class._internal_init))
        if match:
            tokens.add(match.group(1))
    return tokens


def test_every_aws_type_the_library_constructs_has_an_entry() -> None:
    """Not only the examples: every `aws.<module>.<Resource>(` in components/, e.g. the egress rules."""
    tokens = _library_aws_types()
    assert "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule" in tokens
    assert sorted(t for t in tokens if rule_for(t) is None) == []
