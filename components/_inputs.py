"""How components read their arguments: `pulumi.Input` values, checked when known, never used in names.

A component's argument may be a plain value or an Output of another resource in the same program. Rules
that can be judged on a value are judged at once when the value is known, and all problems are raised
together (`ArgumentsError`) before anything is declared; an Output is judged when it resolves, inside
`apply`, so a real deployment fails with the same message. Child resource names come only from the
component's name and from keys of mappings the caller writes (`route_tables={"private-a": rtb.id}`):
`plain_mapping` refuses a mapping that is itself an Output, because its keys would be unknown.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Mapping, Sequence
from ipaddress import IPv4Network
from typing import Any, TypeVar, cast

import pulumi

from .codes import Code
from .domain import cidrs
from .domain.cidrs import MAX_REMOTE_NETWORKS
from .domain.fields import asn_problem, is_private_asn
from .errors import ArgumentsError, Problem, Reason
from .sites import RemoteNetworkAggregates, SiteCidrs

__all__ = ["Arguments", "as_text", "derive", "is_known", "name_tagged"]

T = TypeVar("T")
V = TypeVar("V")
Check = Callable[[Any], "Reason | None"]

# Keys name child resources (`<component>-route-<key>-...`), so they are kept to what reads well in a name.
KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")


def is_known(value: object) -> bool:
    """True for a plain value; False for an Output or another awaitable, whose value comes later."""
    return not isinstance(value, pulumi.Output) and not inspect.isawaitable(value)


def derive(value: pulumi.Input[T], convert: Callable[[Any], V]) -> pulumi.Input[V]:
    """`convert(value)`: now when `value` is known, else when it resolves."""
    if is_known(value):
        return convert(value)
    return pulumi.Output.from_input(value).apply(convert)


def as_text(value: pulumi.Input[object]) -> pulumi.Input[str]:
    """`value` as the string an AWS input wants (an ASN as "64513")."""
    return derive(value, str)


def name_tagged(tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None, name: str) -> pulumi.Input[Any]:
    """The caller's tags with AWS's `Name` tag set to `name` (a display name: resources are not named by
    tags). Tags that are an Output are merged when they resolve."""
    if tags is None:
        return {"Name": name}
    if isinstance(tags, Mapping):
        return {**tags, "Name": name}
    resolved_tags: pulumi.Output[Mapping[str, Any]] = pulumi.Output.from_input(cast(Any, tags))
    return resolved_tags.apply(lambda resolved: {**(resolved or {}), "Name": name})


class Arguments:
    """The problems found in one component's arguments, raised all at once (`raise_problems`)."""

    def __init__(self, component: str, name: str) -> None:
        self.where = f"{component} {name!r}"
        self.problems: list[Problem] = []

    def problem(self, path: str, rule: str, code: Code) -> None:
        self.problems.append(Problem(self.where, path, rule, code))

    def raise_problems(self) -> None:
        if self.problems:
            raise ArgumentsError(self.problems)

    def check(self, path: str, value: pulumi.Input[T], rule: Check) -> pulumi.Input[T]:
        """`value`, judged by `rule` (a `Reason`, or None when the value is fine): now when it is known,
        else when it resolves. Use the returned value as the resource input, so that the check of an
        Output runs before the resource is created. None (an absent optional value) is never judged."""
        if is_known(value):
            reason = None if value is None else rule(value)
            if reason:
                self.problems.append(Problem.of(self.where, path, reason))
            return value
        where = self.where

        def judged(resolved: Any) -> Any:
            reason = None if resolved is None else rule(resolved)
            if reason:
                raise ArgumentsError([Problem.of(where, path, reason)])
            return resolved

        return pulumi.Output.from_input(value).apply(judged)

    def plain(self, path: str, value: object, allowed: Sequence[object] | None = None) -> Any:
        """A value that decides which resources exist, so it must be known when the program runs."""
        if not is_known(value):
            self.problem(
                path,
                "must be a plain value in the program (it decides which resources exist)",
                Code.NOT_PLAIN,
            )
            return None
        if allowed is not None and value is not None and value not in allowed:
            choices = ", ".join(repr(a) for a in allowed)
            self.problem(path, f"{value!r} is not one of {choices}", Code.NOT_ALLOWED)
            return None
        return value

    def plain_mapping(self, path: str, value: Mapping[str, V] | None) -> dict[str, V]:
        """A mapping whose keys name child resources: it must be written in the program (its values may
        be Outputs), and each key must read well in a resource name."""
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.problem(
                path,
                "must be a mapping written in the program, not an Output: its keys name child resources"
                " (its values may be Outputs)",
                Code.NOT_PLAIN,
            )
            return {}
        for key in value:
            if not isinstance(key, str) or not KEY.fullmatch(key):
                self.problem(
                    f"{path}.{key}",
                    f"{key!r} cannot name a child resource: use letters, digits, '.', '_' and '-'"
                    " (at most 63, starting with a letter or digit)",
                    Code.INVALID_KEY,
                )
        return dict(value)

    def plain_list(self, path: str, value: Sequence[V] | None) -> list[V]:
        """A list whose length decides which resources exist (its items may be Outputs)."""
        if value is None:
            return []
        if not is_known(value) or isinstance(value, str | bytes) or not isinstance(value, Sequence):
            self.problem(
                path, "must be a list written in the program (its items may be Outputs)", Code.NOT_PLAIN
            )
            return []
        return list(value)

    def unique_names(self, names: Sequence[str], path: str) -> None:
        """Two children with one name would collide in the engine: say which keys made them."""
        seen: set[str] = set()
        for name in names:
            if name in seen:
                self.problem(
                    path,
                    f"two child resources would both be named {name!r}: choose other keys",
                    Code.DUPLICATE_NAME,
                )
            seen.add(name)


# --- rules shared by several components: each returns a `Reason`, or None when the value is fine ----------


def cidr_rule(parse: Callable[[object], object]) -> Check:
    def rule(value: object) -> Reason | None:
        try:
            parse(value)
        except cidrs.CidrRuleError as exc:
            return exc.reason
        return None

    return rule


remote_cidr = cidr_rule(cidrs.remote_network)
vpc_cidr = cidr_rule(cidrs.vpc_network)
service_cidr = cidr_rule(cidrs.service_network)
any_cidr = cidr_rule(cidrs.parse_ipv4_network)
tunnel_inside_cidr = cidr_rule(cidrs.tunnel_inside_network)


def ipv4_address(value: object) -> Reason | None:
    try:
        cidrs.ipv4_address(value)
    except cidrs.CidrRuleError as exc:
        return exc.reason
    return None


def public_ipv4(value: object) -> Reason | None:
    return cidrs.public_ipv4_problem(value)


def amazon_side_asn(value: object) -> Reason | None:
    """A transit or virtual private gateway's own ASN: a private ASN (EC2 API, CreateTransitGateway)."""
    if isinstance(value, bool) or not isinstance(value, int) or not is_private_asn(value):
        return Reason(
            Code.AMAZON_ASN_NOT_PRIVATE,
            f"{value!r} is not a private ASN: an Amazon-side ASN must be 64512 to 65534 or 4200000000 to"
            " 4294967294",
        )
    return None


def customer_asn(value: object) -> Reason | None:
    """A customer gateway's BGP ASN: one AWS accepts and that can peer (the stack files' rule too)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4294967294:
        return Reason(Code.INVALID_ASN, f"{value!r} is not an ASN (1 to 4294967294)")
    return asn_problem(value)


def positive_int(value: object) -> Reason | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return Reason(Code.NOT_POSITIVE, f"{value!r} is not a positive whole number")
    return None


# --- the sites several components take -----------------------------------------------------------------


def checked_sites(
    arguments: Arguments,
    sites: Mapping[str, SiteCidrs] | None,
    path: str = "sites",
    *,
    beside: Mapping[str, pulumi.Input[str]] | None = None,
) -> dict[str, SiteCidrs]:
    """`sites` with each CIDR checked (now when known, else when it resolves), after checking that the
    mapping is written in the program; known CIDRs must not overlap each other nor the `beside` networks
    (`{"vpc_cidr": ...}`), so node CIDR == pod CIDR is refused."""
    checked: dict[str, SiteCidrs] = {}
    labelled = [
        cidrs.LabelledNetwork(arg, network)
        for arg, value in (beside or {}).items()
        if (network := _known_network(value)) is not None
    ]
    for key, site in arguments.plain_mapping(path, sites).items():
        if not isinstance(site, Mapping):
            arguments.problem(
                f"{path}.{key}", "must be a mapping with node_cidr and pod_cidr", Code.NOT_MAPPING
            )
            continue
        entry: dict[str, pulumi.Input[str]] = {}
        for role in ("node_cidr", "pod_cidr"):
            where = f"{path}.{key}.{role}"
            if site.get(role) is None:
                arguments.problem(where, "is required", Code.VALUE_REQUIRED)
                continue
            entry[role] = arguments.check(where, site[role], remote_cidr)
            network = _known_network(site[role])
            if network is not None:
                labelled.append(cidrs.LabelledNetwork(where, network))
        if len(entry) == 2:
            checked[key] = SiteCidrs(node_cidr=entry["node_cidr"], pod_cidr=entry["pod_cidr"])
    for group in cidrs.overlap_groups(labelled):
        arguments.problem(
            group.network.path,
            f"{group.describe()}: node, pod and VPC CIDRs must not overlap",
            Code.CIDR_OVERLAP,
        )
    return checked


def checked_aggregates(
    arguments: Arguments, aggregates: RemoteNetworkAggregates | None, path: str = "remote_network_aggregates"
) -> tuple[dict[str, pulumi.Input[str]], dict[str, pulumi.Input[str]]]:
    """(node aggregates, pod aggregates) by key, each CIDR checked; empty when there are none."""
    if aggregates is None:
        return {}, {}
    found: list[dict[str, pulumi.Input[str]]] = []
    for role, given in (
        ("node_cidrs", aggregates.get("node_cidrs")),
        ("pod_cidrs", aggregates.get("pod_cidrs")),
    ):
        mapping = arguments.plain_mapping(f"{path}.{role}", given)
        if len(mapping) > MAX_REMOTE_NETWORKS:
            arguments.problem(
                f"{path}.{role}",
                f"{len(mapping)} aggregates: EKS takes at most {MAX_REMOTE_NETWORKS}",
                Code.TOO_MANY_REMOTE_NETWORKS,
            )
        found.append(
            {key: arguments.check(f"{path}.{role}.{key}", cidr, remote_cidr) for key, cidr in mapping.items()}
        )
    return found[0], found[1]


def _known_network(value: object) -> IPv4Network | None:
    if not isinstance(value, str):
        return None
    try:
        return cidrs.parse_ipv4_network(value)
    except cidrs.CidrRuleError:
        return None
