"""The IAM Roles Anywhere root CA Palette needs (Palette's `v1IamRolesAnywhere` takes the CA's certificate and
key): generated with pulumi-tls, or supplied with its key; the trust anchor trusts the same certificate; the
key is a secret end to end."""

from __future__ import annotations

from collections.abc import Mapping

import pulumi

from eks_hybrid.components.config import SECRET_PLACEHOLDER, CredentialsConfig
from eks_hybrid.components.config._eks_hub import identity_problems
from eks_hybrid.components.config._stack_args import node_identity_args
from eks_hybrid.components.identity import NodeIdentity
from eks_hybrid.components.identity.ca import generated_ca, private_key_problems
from eks_hybrid.offline.engine import OfflineRun
from tests.cluster.hubs import PEM, hub_config
from tests.conftest import MockEngine

CLUSTER_ARN = "arn:aws:eks:us-west-2:123456789012:cluster/edge-prod"
KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"
FILE = "stacks/Pulumi.test.yaml"
PATH = "eks-hybrid:credentials.iamRolesAnywhere.certificateAuthorityPrivateKey"


def run_identity(engine: MockEngine, ira: Mapping[str, object]) -> OfflineRun:
    hub = hub_config(credentials={"provider": "iamRolesAnywhere", "iamRolesAnywhere": ira})
    args = node_identity_args(hub, "edge-prod", CLUSTER_ARN)

    def program() -> None:
        identity = NodeIdentity("nodes", args)
        for key in ("root_ca_certificate", "root_ca_private_key"):
            value = getattr(identity, key)
            pulumi.export(key, value.apply(lambda v: "none" if v is None else v))

    return engine.run(program, stack="identity")


def test_a_generated_ca_is_a_tls_key_and_self_signed_ca_certificate(mock_engine: MockEngine) -> None:
    run = run_identity(
        mock_engine, {"generateCertificateAuthority": True, "certificateAuthorityValidityDays": 730}
    )
    key = run.named("nodes-ca-key")
    cert = run.named("nodes-ca")
    assert key.type == "tls:index/privateKey:PrivateKey" and key.inputs == {
        "algorithm": "RSA",
        "rsaBits": 4096,
    }
    assert cert.type == "tls:index/selfSignedCert:SelfSignedCert"
    assert cert.inputs["isCaCertificate"] is True
    assert cert.inputs["allowedUses"] == ["cert_signing", "crl_signing", "digital_signature"]
    assert cert.inputs["validityPeriodHours"] == 730 * 24
    assert cert.inputs["privateKeyPem"] == "[secret]"  # the key never travels in the clear
    assert cert.inputs["subject"]["commonName"] == "nodes EKS hybrid nodes root CA"
    assert {r.parent for r in (key, cert)} == {run.by_type("eks-hybrid:identity:NodeIdentity")[0].urn}


def test_the_trust_anchor_trusts_the_generated_certificate(mock_engine: MockEngine) -> None:
    run = run_identity(mock_engine, {"generateCertificateAuthority": True})
    anchor = run.named("nodes-trust-anchor").inputs["source"]
    assert anchor["sourceType"] == "CERTIFICATE_BUNDLE"
    certificate = anchor["sourceData"]["x509CertificateData"]
    assert certificate.startswith("-----BEGIN CERTIFICATE-----")
    assert run.outputs["root_ca_certificate"] == certificate
    assert run.outputs["root_ca_private_key"] == "[secret]" and "root_ca_private_key" in run.secret_outputs


def test_a_supplied_ca_hands_on_its_certificate_and_key_as_secrets(mock_engine: MockEngine) -> None:
    run = run_identity(mock_engine, {"certificateAuthorityPem": PEM, "certificateAuthorityPrivateKey": KEY})
    assert not run.by_type("tls:index/privateKey:PrivateKey")
    assert run.named("nodes-trust-anchor").inputs["source"]["sourceData"] == {
        "x509CertificateData": "[secret]"
    }
    assert {"root_ca_certificate", "root_ca_private_key"} <= run.secret_outputs


def test_an_acm_private_ca_has_no_key_to_hand_on(mock_engine: MockEngine) -> None:
    pca = "arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/11111111-2222-3333-4444-555555555555"
    run = run_identity(mock_engine, {"acmPcaArn": pca})
    assert run.outputs["root_ca_certificate"] == "none" and run.outputs["root_ca_private_key"] == "none"


def test_a_supplied_key_must_be_one_unencrypted_pem_key_and_is_never_quoted() -> None:
    assert private_key_problems(KEY, FILE, PATH, SECRET_PLACEHOLDER) == []
    assert private_key_problems(SECRET_PLACEHOLDER, FILE, PATH, SECRET_PLACEHOLDER) == []
    [cert] = private_key_problems(PEM, FILE, PATH, SECRET_PLACEHOLDER)
    assert "is not a PEM private key" in cert.rule and PEM not in str(cert)
    encrypted = "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n-----END ENCRYPTED PRIVATE KEY-----"
    assert "encrypted" in private_key_problems(encrypted, FILE, PATH, SECRET_PLACEHOLDER)[0].rule
    [two] = private_key_problems(KEY + "\n" + KEY, FILE, PATH, SECRET_PLACEHOLDER)
    assert "more than one PEM block" in two.rule


def test_identity_problems_check_the_supplied_key() -> None:
    config = CredentialsConfig.model_validate(
        {
            "provider": "iamRolesAnywhere",
            "iamRolesAnywhere": {"certificateAuthorityPem": PEM, "certificateAuthorityPrivateKey": PEM},
        }
    )
    [problem] = identity_problems(config, FILE)
    assert problem.path == PATH


def test_generated_ca_names_fit_x509() -> None:
    spec = generated_ca("a-very-long-hub-name-" * 4, 3650)
    assert len(spec.common_name) <= 64 and spec.validity_hours == 3650 * 24
