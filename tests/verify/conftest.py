"""Fixtures of the verify tests: example stacks as validated configs, moto, Stubbers, schemas."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber
from jsonschema import Draft202012Validator
from moto import mock_aws

from eks_hybrid.components.config import HubConfig, SiteConfig, validate_stack
from eks_hybrid.stack_files import read_stack_file
from eks_hybrid.verify.aws import AwsReader

from ..conftest import STACKS
from ..palette.conftest import app, clock, state  # noqa: F401 - the emulator fixtures, shared

REGION = "us-west-2"
SCHEMAS = Path(__file__).resolve().parent / "schemas"


def example_document(name: str) -> dict[str, Any]:
    return copy.deepcopy(read_stack_file(STACKS, name).document)


def hub_config(edit: Callable[[dict[str, Any]], None] | None = None, name: str = "example-hub") -> HubConfig:
    document = example_document(name)
    if edit:
        edit(document)
    config = validate_stack(document, f"stacks/Pulumi.{name}.yaml", {"eks-hybrid:credentials"})
    assert isinstance(config, HubConfig)
    return config


def site_config(name: str, edit: Callable[[dict[str, Any]], None] | None = None) -> SiteConfig:
    document = example_document(name)
    if edit:
        edit(document)
    config = validate_stack(document, f"stacks/Pulumi.{name}.yaml", set())
    assert isinstance(config, SiteConfig)
    return config


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[AwsReader]:
    """A reader on moto: every AWS call in the test goes to moto's in-memory services."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        yield AwsReader(REGION)


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], Stubber]]:
    """Stubbers over a reader's clients, for what moto does not implement; all must be used up."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    reader = AwsReader(REGION)
    stubbers: dict[str, Stubber] = {}

    def stub(service: str) -> Stubber:
        if service not in stubbers:
            stubbers[service] = Stubber(reader.client(service))
            stubbers[service].activate()
        return stubbers[service]

    stub.reader = reader  # type: ignore[attr-defined]
    yield stub
    for stubber in stubbers.values():
        stubber.assert_no_pending_responses()
        stubber.deactivate()


def vgw_telemetry(tunnels: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> list[dict[str, Any]]:
    """DescribeVpnConnections' `VgwTelemetry` for (outside address, UP/DOWN) pairs, AWS's wording."""
    when = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)
    return [
        {
            "AcceptedRouteCount": 0,
            "LastStatusChange": when,
            "OutsideIpAddress": address,
            "Status": status,
            "StatusMessage": "" if status == "UP" else "IPSEC IS DOWN",
        }
        for address, status in tunnels
    ]


def schema(name: str) -> dict[str, Any]:
    return dict(json.loads((SCHEMAS / name).read_text()))


def validator_for(definition: str) -> Draft202012Validator:
    """A validator of one Kubernetes core definition (`io.k8s.api.core.v1.NodeList`)."""
    document = schema("kubernetes-v1.34-core.json")
    return Draft202012Validator({"$defs": document["$defs"], "$ref": f"#/$defs/{definition}"})


def cilium_node_validator() -> Draft202012Validator:
    return Draft202012Validator(schema("cilium-ciliumnode-v2.json"))


def assert_valid(validator: Draft202012Validator, document: Any) -> None:
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def only(findings: list[Any], check_part: str) -> Any:
    matches = [f for f in findings if check_part in f.check]
    assert len(matches) == 1, [f.check for f in findings]
    return matches[0]


def dumps(value: Any) -> str:
    return json.dumps(value, default=str)
