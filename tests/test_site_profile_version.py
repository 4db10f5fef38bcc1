"""Sites move to a new hybrid profile version when they choose: a site pins the version its pools run, follows
the hub's newest, or (unset) keeps what each pool runs; the hub publishes its current version and those it is
told to keep; a pin the hub does not publish is refused, naming both stacks' keys."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from eks_hybrid.components.config import HubConfig, validate_stack
from eks_hybrid.components.domain.palette import (
    FOLLOW_NEWEST,
    ProfileChoice,
    profile_choice,
    published_versions,
    version_key,
)
from eks_hybrid.components.errors import ConfigError, EksHybridError
from eks_hybrid.planner import Planner

from .conftest import STACKS, copy_examples

VERSIONS = {"1.0.0": "uid-1", "1.1.0": "uid-2"}
POOL = "pulumi-python:dynamic:Resource"


def test_published_versions_are_the_current_one_and_those_kept() -> None:
    assert published_versions("1.1.0", "uid-2", {"1.0.0": "uid-1"}) == VERSIONS
    assert published_versions("1.0.0", "uid-1", None) == {"1.0.0": "uid-1"}


@pytest.mark.parametrize(
    ("pinned", "versions", "expected"),
    [
        (None, VERSIONS, ProfileChoice(profile_uid="uid-2", keep_running_version=True)),
        (None, None, ProfileChoice(profile_uid="uid-2", keep_running_version=True)),
        (FOLLOW_NEWEST, VERSIONS, ProfileChoice(profile_uid="uid-2", keep_running_version=False)),
        (FOLLOW_NEWEST, None, ProfileChoice(profile_uid="uid-2", keep_running_version=False)),
        ("1.0.0", VERSIONS, ProfileChoice(profile_uid="uid-1", keep_running_version=False)),
        ("1.1.0", VERSIONS, ProfileChoice(profile_uid="uid-2", keep_running_version=False)),
        ("0.9.0", VERSIONS, "the hub does not publish version 0.9.0 (it publishes 1.0.0, 1.1.0)"),
        (
            "1.0.0",
            None,
            "the hub exports no list of its profile versions: `pulumi up` the hub with this eks-hybrid first",
        ),
    ],
)
def test_profile_choice(pinned: str | None, versions: dict[str, str] | None, expected: Any) -> None:
    assert profile_choice(pinned, "uid-2", versions) == expected


def test_versions_order_by_number() -> None:
    assert sorted(["1.10.0", "1.9.0", "1.9.10"], key=version_key) == ["1.9.0", "1.9.10", "1.10.0"]


@pytest.mark.parametrize("value", ["1.0", "v1.0.0", "1.0.0-rc1", "latest", "Newest"])
def test_a_site_pin_is_a_version_or_newest(value: str) -> None:
    import yaml

    document = yaml.safe_load((STACKS / "Pulumi.example-dallas.yaml").read_text())["config"]
    document["eks-hybrid:site"]["paletteProfileVersion"] = value
    with pytest.raises(ConfigError) as caught:
        validate_stack(document, "stacks/Pulumi.x.yaml")
    assert [p.path for p in caught.value.problems] == ["eks-hybrid:site.paletteProfileVersion"]


def test_a_hub_keeps_only_older_versions() -> None:
    import yaml

    document = yaml.safe_load((STACKS / "Pulumi.example-hub.yaml").read_text())["config"]
    document["eks-hybrid:palette"]["keepProfileVersions"] = ["0.9.0"]
    assert isinstance(validate_stack(document, "stacks/Pulumi.x.yaml"), HubConfig)
    document["eks-hybrid:palette"]["keepProfileVersions"] = ["1.0.0"]
    with pytest.raises((ConfigError, ValidationError)) as caught:
        validate_stack(document, "stacks/Pulumi.x.yaml")
    assert "profile-keep-version" in str(caught.value) or any(
        p.code == "profile-keep-version" for p in getattr(caught.value, "problems", [])
    )


def _pools(planner: Planner, stack: str) -> list[Any]:
    return [r for r in planner.plan(stack).run.resources if r.type == POOL and "pool" in r.inputs]


def _bump(version: str, keep: list[str]) -> Any:
    def edit(config: dict[str, Any]) -> None:
        config["eks-hybrid:palette"]["profile"]["version"] = version
        config["eks-hybrid:palette"]["keepProfileVersions"] = keep

    return edit


def _pin(value: str | None) -> Any:
    def edit(config: dict[str, Any]) -> None:
        if value is None:
            config["eks-hybrid:site"].pop("paletteProfileVersion", None)
        else:
            config["eks-hybrid:site"]["paletteProfileVersion"] = value

    return edit


def test_a_pinned_site_runs_its_version_and_an_unpinned_one_keeps_what_runs(tmp_path: Any) -> None:
    stacks = copy_examples(
        tmp_path, {"example-hub": _bump("1.1.0", ["1.0.0"]), "example-chicago": _pin(None)}
    )
    planner = Planner(stacks, offline_secrets=True)
    versions = planner.plan("example-hub").run.outputs["paletteProfileVersions"]
    assert sorted(versions) == ["1.0.0", "1.1.0"] and versions["1.0.0"] != versions["1.1.0"]
    # dallas pins 1.0.0: its pools run that version, and a change of the pin moves them.
    [dallas] = _pools(planner, "example-dallas")
    assert dallas.inputs["profileUid"] == versions["1.0.0"]
    assert "profileUid" not in (dallas.options.get("ignoreChanges") or [])
    # chicago says nothing: a new pool takes the newest, a running one keeps its version (ignore_changes).
    [chicago] = _pools(planner, "example-chicago")
    assert chicago.inputs["profileUid"] == versions["1.1.0"]
    assert chicago.options["ignoreChanges"] == ["profileUid"]


def test_newest_follows_the_hub(tmp_path: Any) -> None:
    stacks = copy_examples(tmp_path, {"example-hub": _bump("1.1.0", []), "example-dallas": _pin("newest")})
    planner = Planner(stacks, offline_secrets=True)
    versions = planner.plan("example-hub").run.outputs["paletteProfileVersions"]
    [dallas] = _pools(planner, "example-dallas")
    assert dallas.inputs["profileUid"] == versions["1.1.0"]
    assert "profileUid" not in (dallas.options.get("ignoreChanges") or [])


def test_a_pin_the_hub_does_not_publish_is_refused_naming_both_keys(tmp_path: Any) -> None:
    # The hub moved to 1.1.0 without keeping 1.0.0, which dallas still pins.
    stacks = copy_examples(tmp_path, {"example-hub": _bump("1.1.0", [])})
    planner = Planner(stacks, offline_secrets=True)
    with pytest.raises(EksHybridError) as caught:
        planner.plan("example-dallas")
    [problem] = caught.value.problems  # type: ignore[attr-defined]
    assert problem.file.endswith("Pulumi.example-dallas.yaml")
    assert problem.path == "eks-hybrid:site.paletteProfileVersion"
    assert problem.code == "profile-version-not-published"
    assert "1.0.0" in problem.rule and "it publishes 1.1.0" in problem.rule
    assert "example-hub" in problem.rule and "eks-hybrid:palette.profile.version" in problem.rule
