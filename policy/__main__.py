"""The pack's entry point (`pulumi preview --policy-pack policy/`): constructing `PolicyPack` serves it."""

from pack import policies
from pulumi_policy import PolicyPack

PolicyPack(name="eks-hybrid", policies=policies())
