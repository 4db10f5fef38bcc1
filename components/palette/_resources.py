"""Typed dynamic resources over the providers (each registers as `pulumi-python:dynamic:Resource`)."""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import Resource

from . import providers

__all__ = ["ClusterImport", "ClusterReadiness", "HybridNodePool", "HybridProfile", "HybridSettings"]


def _props(outputs: tuple[str, ...], inputs: dict[str, Any]) -> dict[str, Any]:
    return {**dict.fromkeys(outputs), **inputs}


def _secret(opts: pulumi.ResourceOptions | None, *outputs: str) -> pulumi.ResourceOptions:
    """`opts`, with the outputs that echo a secret input kept secret in the state: an API key given by
    the caller (`apiKey`) always, and `outputs`."""
    return pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(additional_secret_outputs=["apiKey", *outputs])
    )


class ClusterImport(Resource):
    clusterUid: pulumi.Output[str]
    cloudConfigUid: pulumi.Output[str]
    importManifest: pulumi.Output[str]
    state: pulumi.Output[str]

    def __init__(self, name: str, inputs: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        outputs = ("clusterUid", "cloudConfigUid", "importManifest", "state")
        super().__init__(
            providers.CLUSTER_IMPORT, name, _props(outputs, inputs), _secret(opts, "importManifest")
        )


class ClusterReadiness(Resource):
    state: pulumi.Output[str]
    health: pulumi.Output[str]

    def __init__(self, name: str, inputs: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(
            providers.CLUSTER_READINESS, name, _props(("state", "health"), inputs), _secret(opts)
        )


class HybridSettings(Resource):
    """The `identity` input carries the SSM activation code or the root CA's private key: it is a secret in
    the inputs (the component wraps it) and in the state (`additional_secret_outputs`)."""

    enabled: pulumi.Output[bool]

    def __init__(self, name: str, inputs: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(
            providers.HYBRID_SETTINGS, name, _props(("enabled",), inputs), _secret(opts, "identity")
        )


class HybridProfile(Resource):
    profileUid: pulumi.Output[str]
    """The uid of the profile's current version (a version bump changes it)."""
    retainedVersions: pulumi.Output[dict[str, str]]
    """Old versions kept because pools still use them: version -> uid."""
    packUids: pulumi.Output[dict[str, str]]

    def __init__(self, name: str, inputs: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        outputs = ("profileUid", "published", "retainedVersions", "packUids")
        super().__init__(providers.PROFILE, name, _props(outputs, inputs), _secret(opts))


class HybridNodePool(Resource):
    poolUid: pulumi.Output[str]
    poolClusterUid: pulumi.Output[str]
    poolCloudConfigUid: pulumi.Output[str]

    def __init__(self, name: str, inputs: dict[str, Any], opts: pulumi.ResourceOptions | None = None) -> None:
        outputs = ("poolUid", "poolClusterUid", "poolCloudConfigUid")
        super().__init__(providers.NODE_POOL, name, _props(outputs, inputs), _secret(opts))
