"""The policy rules (`rules`, standard library only) and how `eks-hybrid plan` applies them (`plans`)."""

from .rules import RESOURCE_RULES, Resource, Violation, check_resources

__all__ = ["RESOURCE_RULES", "Resource", "Violation", "check_resources"]
