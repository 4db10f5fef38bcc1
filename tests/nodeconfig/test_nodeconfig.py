"""nodeadm NodeConfig documents: nodeadm's rules, and every document valid against the CRD's schema."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from eks_hybrid.components.errors import PlanError
from eks_hybrid.components.nodeconfig import (
    ClusterDetails,
    IamRolesAnywhereCredentials,
    SsmCredentials,
    credentials_from_exports,
    node_config,
    node_config_from_exports,
    node_config_yaml,
)
from tests.conftest import REFERENCE

ANCHOR = "arn:aws:rolesanywhere:us-west-2:123456789012:trust-anchor/0f0e0d0c-0000-1111-2222-333344445555"
PROFILE = "arn:aws:rolesanywhere:us-west-2:123456789012:profile/1a2b3c4d-0000-1111-2222-333344445555"
ROLE = "arn:aws:iam::123456789012:role/edge-prod-node-identity-role"
SSM = SsmCredentials(activation_id="8d3a2b1c-4e5f-4a6b-9c8d-7e6f5a4b3c2d", activation_code="A" * 20)
IRA = IamRolesAnywhereCredentials(
    node_name="dallas-01", trust_anchor_arn=ANCHOR, profile_arn=PROFILE, role_arn=ROLE
)


def _strict(schema: Any) -> Any:
    """The CRD's schema, with unknown keys refused wherever it lists properties (catches our typos)."""
    schema = copy.deepcopy(schema)
    if isinstance(schema, dict):
        if "properties" in schema and "additionalProperties" not in schema:
            schema["additionalProperties"] = False
        for key, value in list(schema.items()):
            schema[key] = _strict(value)
    elif isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    path = REFERENCE / "nodeadm-nodeconfig-crd.yaml"
    if not path.is_file():
        pytest.fail(f"{path} is missing: it is part of the repository (see reference/README.md)")
    crd = yaml.safe_load(path.read_text())
    [version] = [v for v in crd["spec"]["versions"] if v["name"] == "v1alpha1"]
    schema = _strict(version["schema"]["openAPIV3Schema"])
    schema["properties"]["metadata"].pop("additionalProperties", None)
    return jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())


def test_ssm_document(validator: jsonschema.Draft7Validator) -> None:
    document = node_config("edge-lab", "us-east-2", SSM)
    validator.validate(document)
    assert document == {
        "apiVersion": "node.eks.aws/v1alpha1",
        "kind": "NodeConfig",
        "spec": {
            "cluster": {"name": "edge-lab", "region": "us-east-2"},
            "hybrid": {"ssm": {"activationCode": "A" * 20, "activationId": SSM.activation_id}},
        },
    }


def test_iam_roles_anywhere_document_with_default_paths(validator: jsonschema.Draft7Validator) -> None:
    document = node_config("edge-prod", "us-west-2", IRA)
    validator.validate(document)
    assert document["spec"]["hybrid"] == {
        "iamRolesAnywhere": {
            "nodeName": "dallas-01",
            "trustAnchorArn": ANCHOR,
            "profileArn": PROFILE,
            "roleArn": ROLE,
            "certificatePath": "/etc/iam/pki/server.pem",
            "privateKeyPath": "/etc/iam/pki/server.key",
        }
    }
    assert "ssm" not in document["spec"]["hybrid"]


def test_full_document_lets_nodes_skip_describe_cluster(validator: jsonschema.Draft7Validator) -> None:
    document = node_config(
        "edge-prod",
        "us-west-2",
        IRA,
        cluster=ClusterDetails("https://abc.gr7.us-west-2.eks.amazonaws.com", "TU9DSw==", "172.20.0.0/16"),
        kubelet_flags=["--max-pods=110"],
        node_labels={"topology.kubernetes.io/zone": "dallas", "site": "dallas"},
        enable_credentials_file=True,
    )
    validator.validate(document)
    spec = document["spec"]
    assert spec["cluster"] == {
        "name": "edge-prod",
        "region": "us-west-2",
        "apiServerEndpoint": "https://abc.gr7.us-west-2.eks.amazonaws.com",
        "certificateAuthority": "TU9DSw==",
        "cidr": "172.20.0.0/16",
    }
    assert spec["kubelet"] == {
        "flags": ["--max-pods=110", "--node-labels=site=dallas,topology.kubernetes.io/zone=dallas"]
    }
    assert spec["hybrid"]["enableCredentialsFile"] is True


def test_strict_schema_catches_a_misspelt_key(validator: jsonschema.Draft7Validator) -> None:
    document = node_config("edge-lab", "us-east-2", SSM)
    document["spec"]["hybrid"]["ssm"]["activationID"] = "typo"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(document)


_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-.", min_size=1, max_size=64)


@given(_names)
def test_every_node_name_up_to_64_characters_makes_a_valid_document(name: str) -> None:
    document = node_config("edge-prod", "us-west-2", IamRolesAnywhereCredentials(name, ANCHOR, PROFILE, ROLE))
    assert document["spec"]["hybrid"]["iamRolesAnywhere"]["nodeName"] == name


def test_generated_documents_validate(validator: jsonschema.Draft7Validator) -> None:
    for credentials in (SSM, IRA):
        for flags in ((), ("--v=2",)):
            validator.validate(node_config("c", "eu-west-1", credentials, kubelet_flags=flags))


@pytest.mark.parametrize("length", [65, 100])
def test_node_name_longer_than_64_characters_is_refused(length: int) -> None:
    credentials = IamRolesAnywhereCredentials("n" * length, ANCHOR, PROFILE, ROLE)
    with pytest.raises(PlanError) as caught:
        node_config("edge-prod", "us-west-2", credentials, source="dallas-01")
    [problem] = caught.value.problems
    assert problem.file == "dallas-01"
    assert problem.path == "spec.hybrid.iamRolesAnywhere.nodeName"
    assert f"{length} characters: at most 64" in problem.rule


def test_every_problem_is_reported_at_once() -> None:
    credentials = IamRolesAnywhereCredentials(
        "", "arn:aws:iam::1:role/x", PROFILE, ROLE, certificate_path="cert.pem"
    )
    with pytest.raises(PlanError) as caught:
        node_config("", "nowhere", credentials, kubelet_flags=["--hostname-override=x"])
    assert {p.path for p in caught.value.problems} == {
        "spec.cluster.name",
        "spec.cluster.region",
        "spec.hybrid.iamRolesAnywhere.nodeName",
        "spec.hybrid.iamRolesAnywhere.trustAnchorArn",
        "spec.hybrid.iamRolesAnywhere.certificatePath",
        "spec.kubelet.flags[0]",
    }


@pytest.mark.parametrize(
    ("activation_id", "code", "path"),
    [
        ("not-a-uuid", "A" * 20, "spec.hybrid.ssm.activationId"),
        ("8D3A2B1C-4E5F-4A6B-9C8D-7E6F5A4B3C2D", "A" * 20, "spec.hybrid.ssm.activationId"),
        (SSM.activation_id, "short", "spec.hybrid.ssm.activationCode"),
        (SSM.activation_id, "A" * 251, "spec.hybrid.ssm.activationCode"),
    ],
)
def test_ssm_formats(activation_id: str, code: str, path: str) -> None:
    with pytest.raises(PlanError) as caught:
        node_config("edge-lab", "us-east-2", SsmCredentials(activation_id, code))
    assert [p.path for p in caught.value.problems] == [path]


def test_yaml_round_trips() -> None:
    document = node_config("edge-lab", "us-east-2", SSM)
    text = node_config_yaml(document)
    assert text.startswith("apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n")
    assert yaml.safe_load(text) == document


def test_credentials_from_hub_exports() -> None:
    ssm = credentials_from_exports(
        {
            "credentialsProvider": "ssm",
            "ssmActivationId": SSM.activation_id,
            "ssmActivationCode": SSM.activation_code,
        }
    )
    assert ssm == SSM
    ira_exports: dict[str, Any] = {
        "credentialsProvider": "iamRolesAnywhere",
        "trustAnchorArn": ANCHOR,
        "profileArn": PROFILE,
        "hybridNodeRoleArn": ROLE,
    }
    assert credentials_from_exports(ira_exports, node_name="dallas-01") == IRA
    with pytest.raises(ValueError, match="node name"):
        credentials_from_exports(ira_exports)
    with pytest.raises(ValueError, match="unknown credentialsProvider"):
        credentials_from_exports({})


@pytest.mark.parametrize("enabled", [True, False])
def test_enable_credentials_file_follows_the_hubs_setting(enabled: bool) -> None:
    # The hub grants eks-auth:AssumeRoleForPodIdentity exactly when eks-hybrid:credentials.
    # enableCredentialsFile is on and exports it; the host's NodeConfig reads the same export.
    exports: dict[str, Any] = {
        "clusterName": "edge-lab",
        "region": "us-east-2",
        "credentialsProvider": "ssm",
        "ssmActivationId": SSM.activation_id,
        "ssmActivationCode": SSM.activation_code,
        "enableCredentialsFile": enabled,
    }
    document = node_config_from_exports(exports)
    assert document["spec"]["cluster"] == {"name": "edge-lab", "region": "us-east-2"}
    assert document["spec"]["hybrid"].get("enableCredentialsFile", False) is enabled
    assert document == node_config("edge-lab", "us-east-2", SSM, enable_credentials_file=enabled)


def test_a_hub_from_before_the_setting_means_no_credentials_file() -> None:
    exports = {
        "clusterName": "edge-prod",
        "region": "us-west-2",
        "credentialsProvider": "iamRolesAnywhere",
        "trustAnchorArn": ANCHOR,
        "profileArn": PROFILE,
        "hybridNodeRoleArn": ROLE,
    }
    assert (
        "enableCredentialsFile"
        not in node_config_from_exports(exports, node_name="dallas-01")["spec"]["hybrid"]
    )
