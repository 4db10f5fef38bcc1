"""A thin, read-only boto3 adapter: it fetches the documents the checks read, as the APIs return them.

Credentials come from boto3's usual chain (environment, AWS_PROFILE, SSO, instance or container role);
the region is the stack's. Every client refuses any operation that is not a Describe, Get, List or Search
before it is sent, so `verify` cannot change anything whatever a bug might ask of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError

from eks_hybrid.components.codes import Code
from eks_hybrid.components.errors import EksHybridError

__all__ = ["READ_ONLY_PREFIXES", "AwsReader", "ReadOnlyViolation", "is_not_found"]

READ_ONLY_PREFIXES = ("Describe", "Get", "List", "Search")
_RETRIES = Config(retries={"mode": "standard", "max_attempts": 5}, user_agent_extra="eks-hybrid-verify")


class ReadOnlyViolation(EksHybridError, RuntimeError):
    """An operation that could change something was about to be sent."""

    code = Code.READ_ONLY_VIOLATION


def _refuse_writes(model: Any, **_: Any) -> None:
    if not str(model.name).startswith(READ_ONLY_PREFIXES):
        raise ReadOnlyViolation(f"verify is read-only and refused to call {model.name}")


def is_not_found(error: ClientError) -> bool:
    code = str(error.response.get("Error", {}).get("Code", ""))
    return code == "ResourceNotFoundException" or code.endswith(".NotFound") or code.endswith("NotFound")


class AwsReader:
    """One boto3 client per service, created on first use and kept (tests wrap them in a Stubber)."""

    def __init__(self, region: str, session: boto3.session.Session | None = None) -> None:
        self.region = region
        self.session = session or boto3.session.Session(region_name=region)
        self._clients: dict[str, BaseClient] = {}
        self.operations: list[str] = []
        """Every operation sent, `service:Operation` (what docs/aws-verify-policy.json must allow)."""

    def client(self, service: str) -> Any:
        if service not in self._clients:
            client = self.session.client(service, region_name=self.region, config=_RETRIES)
            client.meta.events.register("before-call.*.*", _refuse_writes)
            prefix = client.meta.service_model.signing_name
            client.meta.events.register(
                "before-call.*.*", lambda model, **_: self.operations.append(f"{prefix}:{model.name}")
            )
            self._clients[service] = client
        return self._clients[service]

    # --- EC2: route tables, transit gateway, VPN, security groups ------------------------------------

    def route_tables(self, ids: Sequence[str]) -> dict[str, dict[str, Any] | None]:
        found: dict[str, dict[str, Any] | None] = dict.fromkeys(ids)
        if not ids:
            return found
        pages = (
            self.client("ec2")
            .get_paginator("describe_route_tables")
            .paginate(Filters=[{"Name": "route-table-id", "Values": list(ids)}])
        )
        for page in pages:
            for table in page.get("RouteTables", []):
                found[table["RouteTableId"]] = table
        return found

    def tgw_routes(self, route_table_id: str) -> list[dict[str, Any]] | None:
        """Active and blackhole routes of a TGW route table (at most 1000, the API's default and maximum);
        None when the table does not exist."""
        ec2 = self.client("ec2")
        tables = ec2.describe_transit_gateway_route_tables(
            Filters=[{"Name": "transit-gateway-route-table-id", "Values": [route_table_id]}]
        )
        if not tables.get("TransitGatewayRouteTables"):
            return None
        try:
            response = ec2.search_transit_gateway_routes(
                TransitGatewayRouteTableId=route_table_id,
                Filters=[{"Name": "state", "Values": ["active", "blackhole"]}],
            )
        except ClientError as error:
            if is_not_found(error):
                return None
            raise
        if response.get("AdditionalRoutesAvailable"):
            raise RuntimeError(
                f"transit gateway route table {route_table_id} has more than 1000 routes:"
                " SearchTransitGatewayRoutes cannot list them all"
            )
        return list(response.get("Routes", []))

    def tgw_route_counts(self, transit_gateway_id: str) -> dict[str, int]:
        """Routes in each route table of the transit gateway (the quota is per transit gateway)."""
        ec2 = self.client("ec2")
        tables = [
            table["TransitGatewayRouteTableId"]
            for page in ec2.get_paginator("describe_transit_gateway_route_tables").paginate(
                Filters=[{"Name": "transit-gateway-id", "Values": [transit_gateway_id]}]
            )
            for table in page.get("TransitGatewayRouteTables", [])
        ]
        return {table: len(self.tgw_routes(table) or []) for table in tables}

    def vpn_connections(self, ids: Sequence[str]) -> dict[str, dict[str, Any] | None]:
        found: dict[str, dict[str, Any] | None] = dict.fromkeys(ids)
        for (
            connection_id
        ) in ids:  # one each: a missing id fails the whole call (InvalidVpnConnectionID.NotFound)
            try:
                response = self.client("ec2").describe_vpn_connections(VpnConnectionIds=[connection_id])
            except ClientError as error:
                if is_not_found(error):
                    continue
                raise
            for connection in response.get("VpnConnections", []):
                found[connection["VpnConnectionId"]] = connection
        return found

    def security_group_rules(self, group_id: str) -> list[dict[str, Any]] | None:
        """The group's rules; None when the group does not exist."""
        ec2 = self.client("ec2")
        groups = ec2.describe_security_groups(Filters=[{"Name": "group-id", "Values": [group_id]}])
        if not groups.get("SecurityGroups"):
            return None
        pages = ec2.get_paginator("describe_security_group_rules").paginate(
            Filters=[{"Name": "group-id", "Values": [group_id]}]
        )
        return [rule for page in pages for rule in page.get("SecurityGroupRules", [])]

    def prefix_lists(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Prefix list id -> {"MaxEntries", "Entries": [cidr, ...]} for the lists rules reference."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        ec2 = self.client("ec2")
        lists = ec2.describe_managed_prefix_lists(PrefixListIds=wanted).get("PrefixLists", [])
        out = {}
        for item in lists:
            entries = [
                entry["Cidr"]
                for page in ec2.get_paginator("get_managed_prefix_list_entries").paginate(
                    PrefixListId=item["PrefixListId"]
                )
                for entry in page.get("Entries", [])
            ]
            out[item["PrefixListId"]] = {"MaxEntries": item.get("MaxEntries"), "Entries": entries}
        return out

    def launch_template_version(self, template_id: str, version: str) -> dict[str, Any] | None:
        """One version of a launch template (DescribeLaunchTemplateVersions); None when the template or the
        version does not exist."""
        try:
            response = self.client("ec2").describe_launch_template_versions(
                LaunchTemplateId=template_id, Versions=[version]
            )
        except ClientError as error:
            if is_not_found(error):
                return None
            raise
        versions = response.get("LaunchTemplateVersions", [])
        return dict(versions[0]) if versions else None

    def nat_gateways(self, vpc_id: str) -> dict[str, list[str]]:
        """The VPC's available NAT gateways and their public addresses, by id (as the hub reads them at
        deploy time: `composition.hub.nat_gateway_addresses`)."""
        pages = (
            self.client("ec2")
            .get_paginator("describe_nat_gateways")
            .paginate(
                Filters=[
                    {"Name": "vpc-id", "Values": [vpc_id]},
                    {"Name": "state", "Values": ["available"]},
                ]
            )
        )
        return {
            nat["NatGatewayId"]: [
                a["PublicIp"] for a in nat.get("NatGatewayAddresses", []) if a.get("PublicIp")
            ]
            for page in pages
            for nat in page.get("NatGateways", [])
        }

    # --- EKS ------------------------------------------------------------------------------------------

    def node_groups_named(self, cluster: str, name: str) -> list[dict[str, Any]]:
        """The cluster's managed node groups tagged `Name=name` (DescribeNodegroup's `nodegroup`). Pulumi
        names a node group `<name>-<random suffix>`, so only those are described."""
        eks = self.client("eks")
        names = [
            group
            for page in eks.get_paginator("list_nodegroups").paginate(clusterName=cluster)
            for group in page.get("nodegroups", [])
            if group.startswith(f"{name}-")
        ]
        found = []
        for group in names:
            try:
                described = dict(
                    eks.describe_nodegroup(clusterName=cluster, nodegroupName=group)["nodegroup"]
                )
            except ClientError as error:
                if is_not_found(error):
                    continue  # deleted between the two calls (a replacement finishing)
                raise
            if (described.get("tags") or {}).get("Name") == name:
                found.append(described)
        return found

    def cluster(self, name: str) -> dict[str, Any] | None:
        try:
            return dict(self.client("eks").describe_cluster(name=name)["cluster"])
        except ClientError as error:
            if is_not_found(error):
                return None
            raise

    def access_entry(self, cluster: str, principal_arn: str) -> dict[str, Any] | None:
        try:
            response = self.client("eks").describe_access_entry(
                clusterName=cluster, principalArn=principal_arn
            )
        except ClientError as error:
            if is_not_found(error):
                return None
            raise
        return dict(response["accessEntry"])

    # --- node identity --------------------------------------------------------------------------------

    def trust_anchor(self, arn: str) -> dict[str, Any] | None:
        return self._rolesanywhere("get_trust_anchor", "trustAnchorId", "trustAnchor", arn)

    def roles_anywhere_profile(self, arn: str) -> dict[str, Any] | None:
        return self._rolesanywhere("get_profile", "profileId", "profile", arn)

    def _rolesanywhere(self, operation: str, key: str, result: str, arn: str) -> dict[str, Any] | None:
        resource_id = arn.rsplit("/", 1)[-1]  # arn:aws:rolesanywhere:<region>:<account>:trust-anchor/<id>
        try:
            response = getattr(self.client("rolesanywhere"), operation)(**{key: resource_id})
        except ClientError as error:
            if is_not_found(error):
                return None
            raise
        return dict(response[result])

    def activation(self, activation_id: str) -> dict[str, Any] | None:
        response = self.client("ssm").describe_activations(
            Filters=[{"FilterKey": "ActivationIds", "FilterValues": [activation_id]}]
        )
        items = response.get("ActivationList", [])
        return dict(items[0]) if items else None
