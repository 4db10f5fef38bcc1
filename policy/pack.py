"""eks-hybrid's rules as CrossGuard policies. Importable: building the `PolicyPack` (which starts a gRPC
server and blocks, `pulumi_policy/policy.py`) happens only in `__main__.py`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

try:
    from eks_hybrid.policy import rules
except ImportError:  # the pack run from this checkout: the library is beside the pack's folder
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from eks_hybrid.policy import rules

Rule = Callable[[rules.Resource], list[rules.Violation]]


def _resource(args: ResourceValidationArgs) -> rules.Resource:
    return rules.Resource(type=args.resource_type, urn=args.urn, inputs=dict(args.props or {}))


def _report(violations: list[rules.Violation], report_violation: ReportViolation) -> None:
    for violation in violations:
        report_violation(violation.message, violation.urn)


def resource_policy(name: str, rule: Rule, level: EnforcementLevel) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        _report(rule(_resource(args)), report_violation)

    return ResourceValidationPolicy(
        name=name, description=(rule.__doc__ or name).strip(), validate=validate, enforcement_level=level
    )


def public_endpoint_policy() -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        allow = bool(args.get_config().get("allowOpenPublicEndpoint", False))
        _report(rules.public_endpoint_restricted(_resource(args), allow_open=allow), report_violation)

    return ResourceValidationPolicy(
        name="public-endpoint-restricted",
        description=(rules.public_endpoint_restricted.__doc__ or "").strip(),
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(
            properties={"allowOpenPublicEndpoint": {"type": "boolean", "default": False}}
        ),
    )


def _stack_resources(args: StackValidationArgs) -> list[rules.Resource]:
    return [
        rules.Resource(
            type=r.resource_type,
            urn=r.urn,
            inputs=dict(r.props or {}),
            parent=r.parent.urn if r.parent is not None else None,
        )
        for r in args.resources
    ]


def routes_policy() -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        elsewhere = list(args.get_config().get("siteRoutedCidrs", []))
        violations = rules.vpc_routes_cover_remote_networks(
            _stack_resources(args), routed_elsewhere=elsewhere
        )
        _report(violations, report_violation)

    return StackValidationPolicy(
        name="vpc-routes-cover-remote-networks",
        description=(rules.vpc_routes_cover_remote_networks.__doc__ or "").strip(),
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=PolicyConfigSchema(
            properties={"siteRoutedCidrs": {"type": "array", "items": {"type": "string"}, "default": []}}
        ),
    )


def vpn_routes_policy() -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        _report(rules.vpn_static_routes_cover_site(_stack_resources(args)), report_violation)

    return StackValidationPolicy(
        name="vpn-static-routes-cover-site",
        description=(rules.vpn_static_routes_cover_site.__doc__ or "").strip(),
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
    )


def control_plane_policy() -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        _report(rules.control_plane_one_minor(_stack_resources(args)), report_violation)

    return StackValidationPolicy(
        name="control-plane-one-minor",
        description=(rules.control_plane_one_minor.__doc__ or "").strip(),
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
    )


def policies() -> list[Any]:
    levels = {"owner_tagged": EnforcementLevel.ADVISORY}
    return [
        *(
            resource_policy(
                rule.__name__.replace("_", "-"), rule, levels.get(rule.__name__, EnforcementLevel.MANDATORY)
            )
            for rule in rules.RESOURCE_RULES
        ),
        public_endpoint_policy(),
        routes_policy(),
        vpn_routes_policy(),
        control_plane_policy(),
    ]
