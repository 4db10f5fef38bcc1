"""The hybrid node IAM role and its credential provider: IAM Roles Anywhere or SSM hybrid activations."""

from .component import NODE_IDENTITY, IamRolesAnywhere, NodeIdentity, NodeIdentityArgs, SsmActivation
from .policies import (
    iam_roles_anywhere_trust_policy,
    managed_policies,
    node_policy,
    role_max_session_seconds,
    ssm_trust_policy,
)

__all__ = [
    "NODE_IDENTITY",
    "IamRolesAnywhere",
    "NodeIdentity",
    "NodeIdentityArgs",
    "SsmActivation",
    "iam_roles_anywhere_trust_policy",
    "managed_policies",
    "node_policy",
    "role_max_session_seconds",
    "ssm_trust_policy",
]
