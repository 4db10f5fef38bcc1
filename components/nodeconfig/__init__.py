"""nodeadm NodeConfig documents for edge hosts, built from the hub's outputs."""

from .nodeconfig import (
    API_VERSION,
    DEFAULT_CERTIFICATE_PATH,
    DEFAULT_PRIVATE_KEY_PATH,
    MAX_NODE_NAME,
    ClusterDetails,
    Credentials,
    IamRolesAnywhereCredentials,
    SsmCredentials,
    credentials_from_exports,
    node_config,
    node_config_from_exports,
    node_config_problems,
    node_config_yaml,
)

__all__ = [
    "API_VERSION",
    "DEFAULT_CERTIFICATE_PATH",
    "DEFAULT_PRIVATE_KEY_PATH",
    "MAX_NODE_NAME",
    "ClusterDetails",
    "Credentials",
    "IamRolesAnywhereCredentials",
    "SsmCredentials",
    "credentials_from_exports",
    "node_config",
    "node_config_from_exports",
    "node_config_problems",
    "node_config_yaml",
]
