"""The IAM Roles Anywhere root CA: what a generated one looks like, and checks of a supplied key. Pure.

Palette takes the root CA's certificate and private key (`v1IamRolesAnywhere.rootCaCertificate` /
`rootCaPrivateKey`) and issues each edge host's certificate from it; the trust anchor trusts the same
certificate. AWS Roles Anywhere wants an X.509v3 CA certificate (basic constraints CA:TRUE, key usage with
certificate signing) with an RSA or EC key, signed with SHA-256 or stronger (IAM Roles Anywhere user guide,
"Trust model" / "Signature verification"); pulumi-tls's `SelfSignedCert` with `is_ca_certificate` and the
`cert_signing` use makes exactly that (SHA-256 with RSA).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..codes import Code
from ..errors import Problem

__all__ = ["GeneratedCa", "generated_ca", "private_key_problems"]


@dataclass(frozen=True)
class GeneratedCa:
    common_name: str
    organization: str
    validity_hours: int
    algorithm: str = "RSA"
    rsa_bits: int = 4096
    allowed_uses: tuple[str, ...] = ("cert_signing", "crl_signing", "digital_signature")


def generated_ca(name: str, validity_days: int) -> GeneratedCa:
    """The CA generated for hub `name`: RSA 4096 (the most widely accepted key type for a long-lived root,
    which both Roles Anywhere and Palette's issuing use), valid `validity_days`. Replacing it (a new key)
    changes the trust anchor and Palette's hybrid config, and reaches nodes only after a repave."""
    common_name = f"{name} EKS hybrid nodes root CA"[:64]  # X.509 caps a CN at 64 characters
    return GeneratedCa(common_name=common_name, organization="eks-hybrid", validity_hours=validity_days * 24)


KEY_MARKERS = (
    "-----BEGIN PRIVATE KEY-----",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----BEGIN EC PRIVATE KEY-----",
)


def private_key_problems(pem: str, file: str, path: str, placeholder: str) -> list[Problem]:
    """A supplied CA key must be one unencrypted PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC). The value
    is never quoted. The offline placeholder passes unseen."""
    if pem == placeholder:
        return []
    text = pem.strip()
    if "ENCRYPTED" in text.split("\n", 1)[0]:
        return [
            Problem(
                file,
                path,
                "is an encrypted private key: Palette needs it unencrypted (PEM)",
                Code.CA_KEY_ENCRYPTED,
            )
        ]
    if not text.startswith(KEY_MARKERS) or not text.endswith("PRIVATE KEY-----"):
        return [
            Problem(
                file,
                path,
                "is not a PEM private key (-----BEGIN PRIVATE KEY----- ... -----END PRIVATE KEY-----):"
                " give the key of certificateAuthorityPem's CA",
                Code.NOT_A_PEM_KEY,
            )
        ]
    if text.count("-----BEGIN") != 1:
        return [
            Problem(
                file,
                path,
                "holds more than one PEM block: give only the CA's private key",
                Code.CA_KEY_SEVERAL_BLOCKS,
            )
        ]
    return []
