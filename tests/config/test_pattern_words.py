"""A value that does not match its pattern is told what it must be, in words with an example, never as a
regular expression: every pattern of the stack-file models has its words (`domain/patterns.py`)."""

from __future__ import annotations

import re
import typing
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from eks_hybrid.components.config import HubConfig, SiteConfig, validate_stack
from eks_hybrid.components.domain.patterns import PATTERN_WORDS
from eks_hybrid.components.errors import ConfigError

from ..conftest import STACKS


def _patterns(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[str]:
    if model in seen:
        return set()
    seen.add(model)
    found: set[str] = set()
    for field in model.model_fields.values():
        found |= {m.pattern for m in field.metadata if getattr(m, "pattern", None)}
        stack: list[Any] = [field.annotation]
        while stack:
            annotation = stack.pop()
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                found |= _patterns(annotation, seen)
            for meta in getattr(annotation, "__metadata__", ()):
                if getattr(meta, "pattern", None):
                    found.add(meta.pattern)
                for inner in getattr(meta, "metadata", ()):
                    if getattr(inner, "pattern", None):
                        found.add(inner.pattern)
            stack.extend(typing.get_args(annotation))
    return found


@pytest.mark.parametrize("model", [HubConfig, SiteConfig])
def test_every_pattern_of_the_stack_files_has_words(model: type[BaseModel]) -> None:
    patterns = _patterns(model, set())
    assert patterns, "the sweep found no pattern at all"
    assert sorted(patterns - set(PATTERN_WORDS)) == []


@pytest.mark.parametrize(
    ("stack", "edit", "path", "says"),
    [
        (
            "example-denver",
            lambda c: c["eks-hybrid:site"]["connectivity"]["directConnect"].update(gatewayId="dxgw-123"),
            "eks-hybrid:site.connectivity.directConnect.gatewayId",
            "must be a Direct Connect gateway id: the UUID AWS shows for the gateway",
        ),
        (
            "example-hub",
            lambda c: c["eks-hybrid:palette"].update(projectUid="Default"),
            "eks-hybrid:palette.projectUid",
            "must be a Palette uid: 24 lowercase hex digits",
        ),
        (
            "example-hub",
            lambda c: c.update({"aws:region": "Oregon"}),
            "aws:region",
            "must be an AWS Region code",
        ),
    ],
)
def test_a_mismatch_says_what_the_value_must_be(stack: str, edit: Any, path: str, says: str) -> None:
    config = yaml.safe_load((STACKS / f"Pulumi.{stack}.yaml").read_text())["config"]
    edit(config)
    with pytest.raises(ConfigError) as caught:
        validate_stack(config, f"stacks/Pulumi.{stack}.yaml")
    [problem] = [p for p in caught.value.problems if p.path == path]
    assert says in problem.rule and "e.g." in problem.rule
    assert not re.search(r"\^|\$|\\d|\[0-9", problem.rule), problem.rule
