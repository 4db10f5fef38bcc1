"""Run every check of an intent: fetch each area's state through the adapters, then check it (pure).

A fetch that fails (no credentials, access denied, an endpoint out of reach, no Palette key) becomes a
"could not check" finding for that area; the other areas still run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, PartialCredentialsError

from eks_hybrid.components.errors import (
    PaletteAuthError,
    PaletteError,
    PaletteForbiddenError,
    PaletteScopeError,
    PaletteStatusError,
)
from eks_hybrid.components.palette import PaletteCredentialsError

from . import findings
from .aws import AwsReader, ReadOnlyViolation
from .checks import eks, identity, kubernetes, network, palette, quotas
from .findings import AREAS, Finding
from .intent import Intent, KubernetesIntent
from .kube import KubernetesReader
from .palette import PaletteKeyError, PaletteReader

__all__ = ["Sources", "run_checks"]

POLICY = "docs/aws-verify-policy.json"


@dataclass
class Sources:
    """How to reach each system; built lazily so a skipped area never asks for its credentials."""

    aws: Callable[[], AwsReader]
    palette: Callable[[str, str], PaletteReader]
    """(endpoint, project uid) -> a reader holding the stack's Palette key."""
    kubernetes: Callable[[KubernetesIntent], KubernetesReader]
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    secrets: list[str] = field(default_factory=list)
    """Values never to print (the Palette key), redacted from any error text."""


def _redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


KEY_WHERE = (
    "the stack's eks-hybrid:palette.apiKey (`pulumi config set --secret --path eks-hybrid:palette.apiKey`)"
    " or PALETTE_API_KEY"
)


def _palette_refusal(error: Exception) -> tuple[str, str] | None:
    """(detail, remedy) when Palette refused the key, the project or the request: never "not found"."""
    if isinstance(error, PaletteCredentialsError):
        return f"the Palette API key is unusable: {error}", f"put a valid key in {KEY_WHERE}"
    if isinstance(error, PaletteAuthError):
        return (
            f"Palette rejected the API key ({error.status} {error.palette_code})",
            f"use a current key of a user in the stack's Palette project, in {KEY_WHERE}",
        )
    if isinstance(error, PaletteScopeError):
        return (
            str(error),
            "check eks-hybrid:palette.projectUid in the hub's stack file (a site reads it from the hub's"
            " paletteProjectUid output), or use a key of a user in that project",
        )
    if isinstance(error, PaletteForbiddenError) or (
        isinstance(error, PaletteStatusError) and error.status == 403
    ):
        return (
            f"Palette refused a read ({error.status} {error.palette_code}): the key's user lacks a"
            " permission",
            "give the key's user read access to clusters, cloud configs, cluster profiles, packs and edge"
            " hosts in the stack's project (docs/reference/permissions.md)",
        )
    return None


def _could_not(area: str, check: str, error: Exception, secrets: Iterable[str]) -> Finding:
    """One could-not-check finding; its error text on one line (`findings.one_line`)."""
    found = _could_not_found(area, check, error, secrets)
    return replace(found, detail=findings.one_line(found.detail))


def _could_not_found(area: str, check: str, error: Exception, secrets: Iterable[str]) -> Finding:
    text = _redact(f"{type(error).__name__}: {error}", secrets)
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return findings.error(
            area,
            check,
            "no AWS credentials found",
            "give credentials the way the AWS CLI takes them (AWS_PROFILE, SSO login, environment"
            " variables, an instance or container role)",
        )
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code in (
            "AccessDenied",
            "AccessDeniedException",
            "UnauthorizedOperation",
            "UnrecognizedClientException",
        ):
            return findings.error(
                area,
                check,
                _redact(f"AWS refused: {error}", secrets),
                f"allow this identity the read-only actions in {POLICY}",
            )
    if (
        isinstance(error, ClientError)
        and int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0) >= 500
    ):
        return findings.error(
            area,
            check,
            _redact(f"AWS answered with a server error: {error}", secrets),
            "try again; if it repeats, check the AWS endpoint"
            + (
                f" ($AWS_ENDPOINT_URL is {os.environ['AWS_ENDPOINT_URL']}: a local AWS such as moto_server"
                f" may not implement this API, `--skip {area}` leaves the area out)"
                if os.environ.get("AWS_ENDPOINT_URL")
                else ""
            ),
        )
    if isinstance(error, BotoCoreError):
        return findings.error(
            area, check, f"cannot reach AWS: {text}", "check the network path to AWS and the stack's region"
        )
    if isinstance(error, PaletteKeyError):
        return findings.error(
            area,
            check,
            str(error),
            "export PALETTE_API_KEY, or run where `pulumi config get` can decrypt the stack's"
            " eks-hybrid:palette.apiKey",
        )
    refusal = _palette_refusal(error)
    if refusal is not None:
        detail, remedy = refusal
        return findings.error(area, check, _redact(detail, secrets), remedy)
    if isinstance(error, PaletteError):
        return findings.error(
            area, check, f"cannot read Palette: {text}", "check the Palette endpoint and project"
        )
    if area == "kubernetes":
        return findings.error(
            area,
            check,
            f"cannot read the cluster: {text}",
            "pass --kubeconfig FILE, or run where the EKS endpoint is reachable and `aws eks get-token` works"
            " (AWS CLI v2 on PATH)",
        )
    return findings.error(area, check, f"unexpected error: {text}", "run again with --debug and report it")


class _Run:
    def __init__(self, intent: Intent, sources: Sources, skip: set[str], debug: bool) -> None:
        self.intent = intent
        self.sources = sources
        self.skip = skip
        self.debug = debug
        self.out: list[Finding] = []
        self._aws: AwsReader | None = None
        self.cache: dict[str, Any] = {}

    @property
    def aws(self) -> AwsReader:
        if self._aws is None:
            self._aws = self.sources.aws()
        return self._aws

    def area(self, area: str, check: str, body: Callable[[], list[Finding]]) -> None:
        if area in self.skip:
            return
        try:
            self.out.extend(body())
        except ReadOnlyViolation:
            raise
        except Exception as error:
            if self.debug:
                raise
            self.out.append(_could_not(area, check, error, self.sources.secrets))

    def cached(self, key: str, fetch: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = fetch()
        return self.cache[key]

    # --- one method per area --------------------------------------------------------------------------

    def route_tables(self) -> dict[str, Any]:
        ids = sorted({r.route_table_id for r in self.intent.routes} | set(self._quota_tables()))
        return dict(self.cached("route_tables", lambda: self.aws.route_tables(ids)))

    def _quota_tables(self) -> tuple[str, ...]:
        return self.intent.quotas.route_table_ids if self.intent.quotas and "quotas" not in self.skip else ()

    def routes(self) -> list[Finding]:
        return network.check_route_tables(self.intent.routes, self.route_tables())

    def tgw(self) -> list[Finding]:
        tables = {r.route_table_id for r in self.intent.tgw_routes}
        fetched = {table: self.aws.tgw_routes(table) for table in sorted(tables)}
        return network.check_tgw_routes(self.intent.tgw_routes, fetched)

    def vpn(self) -> list[Finding]:
        fetched = self.aws.vpn_connections([v.connection_id for v in self.intent.vpns])
        return network.check_vpn_connections(self.intent.vpns, fetched)

    def cluster(self) -> Any:
        assert self.intent.eks is not None
        name = self.intent.eks.cluster_name
        return self.cached("cluster", lambda: self.aws.cluster(name))

    def rules(self) -> tuple[Any, Any]:
        group = self.intent.eks.security_group_id if self.intent.eks else None
        if group is None:
            return None, {}

        def fetch() -> tuple[Any, Any]:
            rules = self.aws.security_group_rules(group)
            lists = self.aws.prefix_lists(r["PrefixListId"] for r in rules or [] if r.get("PrefixListId"))
            return rules, lists

        rules, lists = self.cached("rules", fetch)
        return rules, lists

    def eks(self) -> list[Finding]:
        intent = self.intent.eks
        assert intent is not None
        cluster = self.cluster()
        out = eks.check_cluster(intent, cluster)
        if cluster is None:
            return out
        if intent.hybrid_role_arn:
            out += eks.check_access_entry(
                intent, self.aws.access_entry(intent.cluster_name, intent.hybrid_role_arn)
            )
        rules, lists = self.rules()
        return out + eks.check_security_group(intent, rules, lists)

    def dns_group(self) -> list[Finding]:
        """The cloud nodes' DNS group and the cloud node group's launch template (`checks.eks`)."""
        intent = self.intent.eks
        assert intent is not None
        if intent.dns_group is None:
            return [eks.dns_group_skipped()]
        dns = intent.dns_group
        out = eks.check_dns_group(dns, self.aws.security_group_rules(dns.security_group_id))
        if self.cluster() is None:
            return out  # the cluster check says so
        groups = self.aws.node_groups_named(intent.cluster_name, dns.node_group)
        templates = {}
        for group in groups:
            template = group.get("launchTemplate") or {}
            if template.get("id"):
                key = (str(template["id"]), str(template.get("version")))
                templates[key] = self.aws.launch_template_version(*key)
        return out + eks.check_cloud_node_groups(
            dns, intent.cluster_name, intent.security_group_id, groups, templates
        )

    def cloud_egress(self) -> list[Finding]:
        intent = self.intent.eks.cloud_egress if self.intent.eks else None
        assert intent is not None
        return eks.check_cloud_egress(intent, self.aws.nat_gateways(intent.vpc_id))

    def identity(self) -> list[Finding]:
        intent = self.intent.identity
        assert intent is not None
        if intent.provider == "iamRolesAnywhere":
            assert intent.trust_anchor_arn and intent.profile_arn
            return identity.check_roles_anywhere(
                intent,
                self.aws.trust_anchor(intent.trust_anchor_arn),
                self.aws.roles_anywhere_profile(intent.profile_arn),
            )
        assert intent.activation_id
        return identity.check_activation(
            intent, self.aws.activation(intent.activation_id), self.sources.now()
        )

    def palette(self) -> list[Finding]:
        out: list[Finding] = []
        hub, pools = self.intent.palette_hub, self.intent.palette_pools
        if hub is not None:
            out += self._palette(
                hub.endpoint, hub.project_uid, lambda r: palette.check_palette_hub(hub, r.hub_state(hub))
            )
        if pools is not None:
            out += self._palette(
                pools.endpoint,
                pools.project_uid,
                lambda r: palette.check_palette_pools(pools, r.pools_state(pools)),
            )
        return out

    def _palette(
        self, endpoint: str, project: str, check: Callable[[PaletteReader], list[Finding]]
    ) -> list[Finding]:
        reader = self.sources.palette(endpoint, project)
        try:
            return check(reader)
        finally:
            reader.close()

    def kubernetes(self) -> list[Finding]:
        intent = self.intent.kubernetes
        assert intent is not None
        reader = self.sources.kubernetes(intent)
        try:
            return kubernetes.check_kubernetes(intent, reader.state())
        finally:
            reader.close()

    def quotas(self) -> list[Finding]:
        intent = self.intent.quotas
        assert intent is not None
        cluster = self.cluster() if self.intent.eks else None
        rules, lists = self.rules()
        counts = self.aws.tgw_route_counts(intent.transit_gateway_id) if intent.transit_gateway_id else None
        return quotas.check_quotas(
            intent,
            cluster=cluster,
            rules=rules,
            prefix_lists=lists,
            route_tables=self.route_tables(),
            tgw_route_counts=counts,
        )


def run_checks(
    intent: Intent, sources: Sources, *, skip: Iterable[str] = (), debug: bool = False
) -> list[Finding]:
    """Every finding, in the order of `AREAS`; `skip` names areas not to check at all. A failure to check
    that repeats word for word (no credentials) is one finding naming its count (`collapse_repeats`)."""
    run = _Run(intent, sources, set(skip), debug)
    run.out.extend(f for f in intent.unchecked if f.area not in run.skip)
    if intent.routes:
        run.area("routes", "VPC route tables", run.routes)
    if intent.tgw_routes:
        run.area("transit-gateway", "transit gateway route table", run.tgw)
    if intent.vpns:
        run.area("vpn", "VPN connections", run.vpn)
    if intent.eks:
        run.area("eks", f"cluster {intent.eks.cluster_name}", run.eks)
        run.area("eks", eks.DNS_GROUP_CHECK, run.dns_group)
        if intent.eks.cloud_egress:
            run.area("eks", eks.NAT_CHECK, run.cloud_egress)
    if intent.identity:
        run.area("identity", "node identity", run.identity)
    if intent.palette_hub or intent.palette_pools:
        run.area("palette", "Palette", run.palette)
    if intent.kubernetes:
        run.area("kubernetes", "hybrid nodes", run.kubernetes)
    if intent.quotas:
        run.area("quotas", "quotas", run.quotas)
    order: dict[str, int] = {area: index for index, area in enumerate(AREAS)}
    return findings.collapse_repeats(sorted(run.out, key=lambda f: order[f.area]))
