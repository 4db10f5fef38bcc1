"""Hub configs for the EKS-side tests: built in code, or loaded from the example stacks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from eks_hybrid.components.config import SECRET_PLACEHOLDER, HubConfig, validate_stack

PEM = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUOffline\n-----END CERTIFICATE-----\n"


def load_hub(path: Path) -> tuple[HubConfig, list[str]]:
    """A stack file as the engine would hand it over: `{secure: ...}` values as the placeholder, secret."""
    document: dict[str, Any] = yaml.safe_load(path.read_text())["config"]
    secret_keys: list[str] = []

    def unwrap(key: str, value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"secure"}:
                secret_keys.append(key)
                return SECRET_PLACEHOLDER
            return {k: unwrap(key, v) for k, v in value.items()}
        if isinstance(value, list):
            return [unwrap(key, v) for v in value]
        return value

    plain = {key: unwrap(key, value) for key, value in document.items()}
    hub = validate_stack(plain, str(path), sorted(set(secret_keys)))
    assert isinstance(hub, HubConfig)
    return hub, sorted(set(secret_keys))


def hub_config(**overrides: Any) -> HubConfig:
    """A small valid hub; `overrides` replace top-level keys (`cluster`, `sites`, `credentials`, ...)."""
    document: dict[str, Any] = {
        "aws:region": "us-west-2",
        "eks-hybrid:role": "hub",
        "eks-hybrid:cluster": {
            "name": "edge-test",
            "kubernetesVersion": "1.35",
            "mode": "create",
            "vpcId": "vpc-0123456789abcdef0",
            "vpcCidr": "10.100.0.0/16",
            "subnetIds": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
            "routeTableIds": ["rtb-0a1b2c3d4e5f60001"],
            "endpointAccess": "private",
            "apiAccess": {"cidrs": ["10.100.8.0/24"]},
            "serviceCidr": "172.20.0.0/16",
            "authenticationMode": "API_AND_CONFIG_MAP",
        },
        "eks-hybrid:sites": {
            "dallas": {"nodeCidr": "10.200.0.0/16", "podCidr": "192.168.0.0/16"},
            "chicago": {"nodeCidr": "10.201.0.0/16", "podCidr": "172.18.0.0/16"},
        },
        "eks-hybrid:credentials": {
            "provider": "iamRolesAnywhere",
            "iamRolesAnywhere": {"certificateAuthorityPem": PEM, "sessionDurationSeconds": 3600},
        },
        "eks-hybrid:tags": {"environment": "test"},
    }
    for key, value in overrides.items():
        full = f"eks-hybrid:{key}" if ":" not in key else key
        if isinstance(value, dict) and isinstance(document.get(full), dict) and key == "cluster":
            document[full] = {**document[full], **value}
        else:
            document[full] = value
    return HubConfig.model_validate(document)
