"""Node identity through botocore's Stubber: moto implements neither IAM Roles Anywhere nor SSM activations.
The Stubber validates every canned response against botocore's service model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from eks_hybrid.verify.checks.identity import check_activation, check_roles_anywhere
from eks_hybrid.verify.findings import Status
from eks_hybrid.verify.intent import IdentityIntent

ANCHOR = "arn:aws:rolesanywhere:us-west-2:123456789012:trust-anchor/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
PROFILE = "arn:aws:rolesanywhere:us-west-2:123456789012:profile/1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809"
ROLE = "arn:aws:iam::123456789012:role/edge-prod-node-identity-role"
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _anchor(enabled: bool) -> dict[str, Any]:
    return {
        "trustAnchor": {
            "trustAnchorId": ANCHOR.rsplit("/", 1)[-1],
            "trustAnchorArn": ANCHOR,
            "name": "edge-prod-node-identity-hybrid-nodes",
            "source": {
                "sourceType": "CERTIFICATE_BUNDLE",
                "sourceData": {"x509CertificateData": "-----BEGIN..."},
            },
            "enabled": enabled,
            "createdAt": NOW,
            "updatedAt": NOW,
        }
    }


def _profile(enabled: bool = True, roles: tuple[str, ...] = (ROLE,), accept: bool = True) -> dict[str, Any]:
    return {
        "profile": {
            "profileId": PROFILE.rsplit("/", 1)[-1],
            "profileArn": PROFILE,
            "name": "edge-prod-node-identity-hybrid-nodes",
            "requireInstanceProperties": False,
            "enabled": enabled,
            "createdBy": "arn:aws:sts::123456789012:assumed-role/deployer/pulumi",
            "sessionPolicy": "",
            "roleArns": list(roles),
            "managedPolicyArns": [],
            "createdAt": NOW,
            "updatedAt": NOW,
            "durationSeconds": 3600,
            "acceptRoleSessionName": accept,
        }
    }


IRA = IdentityIntent("iamRolesAnywhere", role_arn=ROLE, trust_anchor_arn=ANCHOR, profile_arn=PROFILE)


def _roles_anywhere(stubbed: Any, anchor: dict[str, Any] | None, profile: dict[str, Any]) -> list[Any]:
    client = stubbed("rolesanywhere")
    anchor_id, profile_id = ANCHOR.rsplit("/", 1)[-1], PROFILE.rsplit("/", 1)[-1]
    if anchor is None:
        client.add_client_error("get_trust_anchor", "ResourceNotFoundException", "Trust anchor not found")
    else:
        client.add_response("get_trust_anchor", anchor, {"trustAnchorId": anchor_id})
    client.add_response("get_profile", profile, {"profileId": profile_id})
    reader = stubbed.reader
    return check_roles_anywhere(IRA, reader.trust_anchor(ANCHOR), reader.roles_anywhere_profile(PROFILE))


def test_an_enabled_anchor_and_profile_listing_the_role_pass(stubbed: Any) -> None:
    results = _roles_anywhere(stubbed, _anchor(True), _profile())
    assert [(f.status, f.detail) for f in results] == [
        (Status.ok, "enabled"),
        (Status.ok, "enabled, lists the hybrid node role"),
    ]


def test_a_disabled_anchor_fails_with_the_command_that_enables_it(stubbed: Any) -> None:
    anchor, _ = _roles_anywhere(stubbed, _anchor(False), _profile())
    assert anchor.status is Status.fail
    assert anchor.detail == "the trust anchor is disabled: no node can get credentials"
    assert anchor.remedy == (
        "`aws rolesanywhere enable-trust-anchor --trust-anchor-id 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0`"
    )


def test_a_missing_anchor_fails(stubbed: Any) -> None:
    anchor, _ = _roles_anywhere(stubbed, None, _profile())
    assert (anchor.status, anchor.detail) == (Status.fail, "the trust anchor does not exist")


def test_a_profile_without_the_role_or_session_names_fails(stubbed: Any) -> None:
    _, profile = _roles_anywhere(stubbed, _anchor(True), _profile(enabled=False, roles=(), accept=False))
    assert profile.status is Status.fail
    assert profile.detail == (
        f"it is disabled; it does not list the hybrid node role {ROLE}; acceptRoleSessionName is off (nodeadm"
        " sets the session name to the node name)"
    )


ACTIVATION = "3b9a6e2e-0d1c-4f5a-9b8e-7c6d5e4f3a2b"
SSM = IdentityIntent("ssm", role_arn=ROLE, activation_id=ACTIVATION)


def _activation(stubbed: Any, *, used: int, limit: int, expires: datetime, expired: bool) -> list[Any]:
    stubbed("ssm").add_response(
        "describe_activations",
        {
            "ActivationList": [
                {
                    "ActivationId": ACTIVATION,
                    "Description": "EKS hybrid nodes",
                    "DefaultInstanceName": "",
                    "IamRole": "edge-lab-node-identity-role",
                    "RegistrationLimit": limit,
                    "RegistrationsCount": used,
                    "ExpirationDate": expires,
                    "Expired": expired,
                    "CreatedDate": NOW - timedelta(days=7),
                    "Tags": [
                        {
                            "Key": "EKSClusterARN",
                            "Value": "arn:aws:eks:us-east-2:123456789012:cluster/edge-lab",
                        }
                    ],
                }
            ]
        },
        {"Filters": [{"FilterKey": "ActivationIds", "FilterValues": [ACTIVATION]}]},
    )
    return check_activation(SSM, stubbed.reader.activation(ACTIVATION), NOW)


@pytest.mark.parametrize(
    ("used", "expires", "expired", "status", "detail"),
    [
        (
            3,
            NOW + timedelta(days=5),
            False,
            Status.ok,
            "47 of 50 registrations left, expires 2026-12-04 12:00 UTC",
        ),
        (
            3,
            NOW + timedelta(hours=6),
            False,
            Status.warn,
            "expires within a day: 47 of 50 registrations left, expires 2026-11-29 18:00 UTC",
        ),
        (
            3,
            NOW - timedelta(days=1),
            True,
            Status.fail,
            "it expired on 2026-11-28 12:00 UTC: new hosts cannot register",
        ),
        (
            50,
            NOW + timedelta(days=5),
            False,
            Status.fail,
            "all 50 registrations are used: new hosts cannot register",
        ),
    ],
)
def test_activation(
    stubbed: Any, used: int, expires: datetime, expired: bool, status: Status, detail: str
) -> None:
    [finding] = _activation(stubbed, used=used, limit=50, expires=expires, expired=expired)
    assert (finding.status, finding.detail) == (status, detail)
    if status is not Status.ok:
        assert finding.remedy.startswith("renew it: `pulumi up --replace")


def test_a_missing_activation_fails(stubbed: Any) -> None:
    stubbed("ssm").add_response(
        "describe_activations",
        {"ActivationList": []},
        {"Filters": [{"FilterKey": "ActivationIds", "FilterValues": [ACTIVATION]}]},
    )
    [finding] = check_activation(SSM, stubbed.reader.activation(ACTIVATION), NOW)
    assert (finding.status, finding.detail) == (
        Status.fail,
        "the activation does not exist (deleted, or in another region)",
    )
