"""IAM Roles Anywhere with Palette needs a CA whose key Palette can have (Palette's `v1IamRolesAnywhere`
takes `rootCaPrivateKey`); profile layers name their pack registry. Each rule is checked at plan time,
naming the key and why."""

from __future__ import annotations

import pytest

from eks_hybrid.components.config import HubConfig, validate_stack
from eks_hybrid.components.config.hub import DEFAULT_PACK_REGISTRY

from .builders import FILE, hub_doc, palette_block, problems, single, with_value

CREDS = "eks-hybrid:credentials"
IRA = f"{CREDS}.iamRolesAnywhere"
ARN = "arn:aws:acm-pca:us-west-2:123456789012:certificate-authority/0f1e2d3c"


def ira_hub(settings: dict, *, palette: bool = True) -> dict:
    doc = with_value(hub_doc(), (CREDS,), {"provider": "iamRolesAnywhere", "iamRolesAnywhere": settings})
    return with_value(doc, ("eks-hybrid:palette",), palette_block()) if palette else doc


def test_acm_pca_with_palette_is_refused_naming_the_key_and_why():
    problem = single(ira_hub({"acmPcaArn": ARN}), f"{IRA}.acmPcaArn", "cannot be used with Palette")
    assert "rootCaPrivateKey" in problem.rule and "never exports" in problem.rule
    assert "generateCertificateAuthority: true" in problem.rule


def test_acm_pca_without_palette_is_fine():
    validate_stack(ira_hub({"acmPcaArn": ARN}, palette=False), FILE)


def test_a_supplied_ca_needs_its_key_with_palette():
    problem = single(
        ira_hub({"certificateAuthorityPem": "[secret]"}),
        f"{IRA}.certificateAuthorityPrivateKey",
        "is required",
    )
    assert "Palette issues the edge hosts' certificates" in problem.rule


def test_a_supplied_ca_without_palette_needs_no_key():
    validate_stack(ira_hub({"certificateAuthorityPem": "[secret]"}, palette=False), FILE)


def test_a_supplied_ca_with_its_key_is_accepted():
    doc = ira_hub({"certificateAuthorityPem": "[secret]", "certificateAuthorityPrivateKey": "[secret]"})
    config = validate_stack(doc, FILE)
    assert isinstance(config, HubConfig) and config.credentials.iam_roles_anywhere is not None


def test_a_key_without_its_certificate_is_refused():
    doc = ira_hub({"generateCertificateAuthority": True, "certificateAuthorityPrivateKey": "[secret]"})
    single(doc, f"{IRA}.certificateAuthorityPrivateKey", "only together with that certificate")


def test_generated_ca_is_one_source():
    config = validate_stack(ira_hub({"generateCertificateAuthority": True}), FILE)
    assert isinstance(config, HubConfig) and config.credentials.iam_roles_anywhere is not None
    assert config.credentials.iam_roles_anywhere.certificate_authority_validity_days == 3650
    single(
        ira_hub({"generateCertificateAuthority": True, "acmPcaArn": ARN}, palette=False),
        IRA,
        "(got generateCertificateAuthority and acmPcaArn)",
    )


def test_generate_false_is_no_source():
    single(ira_hub({"generateCertificateAuthority": False}, palette=False), IRA, "(got none)")


def test_the_ca_key_is_a_credential_and_never_echoed():
    secret = "-----BEGIN PRIVATE KEY-----MIIplain-----END PRIVATE KEY-----"
    doc = ira_hub({"certificateAuthorityPem": "[secret]", "certificateAuthorityPrivateKey": secret})
    [problem] = problems(doc)
    assert problem.path == f"{IRA}.certificateAuthorityPrivateKey" and "plain text" in problem.rule
    assert secret not in str(problem)


# --- profile layers: pack registries ---------------------------------------------------------------------

PROFILE = ("eks-hybrid:palette", "profile")


def hub_with_layer(layer: str, settings: dict) -> dict:
    doc = with_value(hub_doc(), ("eks-hybrid:palette",), palette_block())
    current = dict(palette_block()["profile"].get(layer) or {})
    return with_value(doc, (*PROFILE, layer), current | settings)


def test_layers_default_to_the_public_registry_by_name():
    config = validate_stack(with_value(hub_doc(), ("eks-hybrid:palette",), palette_block()), FILE)
    assert isinstance(config, HubConfig) and config.palette is not None
    profile = config.palette.profile
    assert DEFAULT_PACK_REGISTRY == "Public Repo"
    assert profile.os.registry == profile.kubernetes.registry == {"name": "Public Repo"}
    assert (profile.cni.pack, profile.cni.tag, profile.cni.registry) == (
        "cni-custom",
        "0.1.0",
        {"name": "Public Repo"},
    )


@pytest.mark.parametrize("layer", ["os", "kubernetes", "cni"])
def test_a_layer_takes_a_registry_by_name_or_uid(layer: str):
    by_name = validate_stack(hub_with_layer(layer, {"registryName": "Edge Mirror"}), FILE)
    by_uid = validate_stack(hub_with_layer(layer, {"registryUid": "0123456789abcdef01234567"}), FILE)
    assert isinstance(by_name, HubConfig) and isinstance(by_uid, HubConfig)
    assert by_name.palette and getattr(by_name.palette.profile, layer).registry == {"name": "Edge Mirror"}
    assert by_uid.palette and getattr(by_uid.palette.profile, layer).registry == {
        "uid": "0123456789abcdef01234567"
    }


def test_a_layer_takes_one_registry_not_both():
    doc = hub_with_layer(
        "kubernetes", {"registryName": "Public Repo", "registryUid": "0123456789abcdef01234567"}
    )
    single(doc, "eks-hybrid:palette.profile.kubernetes", "registryName or registryUid, not both")


def test_a_registry_uid_is_a_palette_uid():
    single(
        hub_with_layer("os", {"registryUid": "public"}),
        "eks-hybrid:palette.profile.os.registryUid",
        "a Palette uid: 24 lowercase hex digits",
    )


def test_layer_values_are_a_mapping():
    config = validate_stack(
        hub_with_layer("kubernetes", {"values": {"nodeadm": {"kubelet": {"flags": ["--v=2"]}}}}), FILE
    )
    assert isinstance(config, HubConfig) and config.palette is not None
    assert config.palette.profile.kubernetes.values == {"nodeadm": {"kubelet": {"flags": ["--v=2"]}}}
    single(hub_with_layer("os", {"values": "pack: {}"}), "eks-hybrid:palette.profile.os.values", "mapping")
