"""What the offline engine answers in place of the cloud: deterministic ids, ARNs and computed attributes.

Ids derive from the resource's URN, so two plans of the same config are identical, and a change to one
resource changes only its own ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from pulumi.runtime.mocks import MockCallArgs, MockResourceArgs, Mocks

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-west-2"
"""The region of a stack whose file sets no `aws:region` (the AWS provider's own default is none)."""
_REMOTE_RANGES = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
Computed = Callable[[str, str, dict[str, Any], str], dict[str, Any]]
"""(name, id, inputs, region) -> computed outputs."""


def stable_hex(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:length]


def _id_prefix(type_token: str) -> str:
    """`aws:ec2transitgateway/routeTable:RouteTable` -> `tgw-rtb`-style prefixes where AWS has one."""
    return _AWS_ID_PREFIXES.get(type_token, type_token.rsplit(":", 1)[-1].lower())


_AWS_ID_PREFIXES = {
    "aws:ec2transitgateway/transitGateway:TransitGateway": "tgw",
    "aws:ec2transitgateway/routeTable:RouteTable": "tgw-rtb",
    "aws:ec2transitgateway/vpcAttachment:VpcAttachment": "tgw-attach",
    "aws:ec2/customerGateway:CustomerGateway": "cgw",
    "aws:ec2/vpnConnection:VpnConnection": "vpn",
    "aws:ec2/vpnGateway:VpnGateway": "vgw",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "sgrule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt",
}


def _tunnel_addresses(seed: str) -> dict[str, Any]:
    """Outside (documentation range) and inside (169.254/16) addresses for both tunnels of a VPN."""
    n = int(seed[:6], 16)
    out: dict[str, Any] = {}
    for tunnel in (1, 2):
        third = (n >> (tunnel * 4)) % 250
        base = 4 * ((n + tunnel * 7) % 60) + 8
        out[f"tunnel{tunnel}Address"] = f"192.0.2.{(n + tunnel * 13) % 250 + 1}"
        out[f"tunnel{tunnel}CgwInsideAddress"] = f"169.254.{third}.{base + 2}"
        out[f"tunnel{tunnel}VgwInsideAddress"] = f"169.254.{third}.{base + 1}"
        out[f"tunnel{tunnel}BgpAsn"] = "64512"
    return out


def _vpn_connection(name: str, resource_id: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    state = _tunnel_addresses(stable_hex(resource_id))
    for tunnel in (1, 2):
        inside = inputs.get(f"tunnel{tunnel}InsideCidr")
        if isinstance(inside, str):
            network = inside.split("/")[0].rsplit(".", 1)
            state[f"tunnel{tunnel}VgwInsideAddress"] = f"{network[0]}.{int(network[1]) + 1}"
            state[f"tunnel{tunnel}CgwInsideAddress"] = f"{network[0]}.{int(network[1]) + 2}"
        # AWS generates a key for a tunnel that was given none.
        state[f"tunnel{tunnel}PresharedKey"] = inputs.get(f"tunnel{tunnel}PresharedKey") or (
            f"mock{stable_hex('psk', resource_id, str(tunnel))}"
        )
    if inputs.get("transitGatewayId"):
        state["transitGatewayAttachmentId"] = f"tgw-attach-{stable_hex('vpn-attach', resource_id)}"
    state["customerGatewayConfiguration"] = f'<vpn_connection id="{resource_id}"/>'
    return state


def _eks_cluster(name: str, resource_id: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    cluster_name = inputs.get("name") or name
    host = stable_hex("eks", resource_id, length=32).upper()
    return {
        "name": cluster_name,
        "endpoint": f"https://{host}.gr7.{region}.eks.amazonaws.com",
        "certificateAuthority": {"data": "TU9DSy1DQS1DRVJUSUZJQ0FURQ=="},
        "vpcConfig": {
            **(inputs.get("vpcConfig") or {}),
            "clusterSecurityGroupId": f"sg-{stable_hex('eks-sg', resource_id)}",
            "vpcId": (inputs.get("vpcConfig") or {}).get("vpcId", "vpc-00000000000000000"),
        },
        "platformVersion": "eks.1",
        "status": "ACTIVE",
    }


def _ssm_activation(name: str, resource_id: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    return {"activationCode": f"offline-{stable_hex('activation-code', resource_id, length=24)}"}


def _offline_uuid(*parts: str) -> str:
    h = stable_hex(*parts, length=32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _rolesanywhere(kind: str) -> Computed:
    """Roles Anywhere ARNs as AWS writes them: `...:trust-anchor/<uuid>` and `...:profile/<uuid>`."""

    def computed(name: str, resource_id: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
        region = inputs.get("region") or region
        uuid = _offline_uuid(kind, resource_id)
        id_key = "trustAnchorId" if kind == "trust-anchor" else "profileId"
        return {"arn": f"arn:aws:rolesanywhere:{region}:{ACCOUNT_ID}:{kind}/{uuid}", id_key: uuid}

    return computed


def _pem(label: str, *parts: str, lines: int) -> str:
    """A PEM-armoured block of deterministic bytes: the shape of a key or certificate, clearly offline
    (its base64 decodes to a readable marker, never a usable key)."""
    import base64

    seed = stable_hex(*parts, length=64)
    raw = (f"eks-hybrid offline plan {label} {seed} " * (lines * 48 // 40 + 1)).encode()[: lines * 48]
    body = base64.b64encode(raw).decode()
    rows = "\n".join(body[i : i + 64] for i in range(0, len(body), 64))
    return f"-----BEGIN {label}-----\n{rows}\n-----END {label}-----\n"


def _tls_private_key(name: str, resource_id: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    """pulumi-tls `PrivateKey`'s computed outputs (all but the public key are secrets in the provider)."""
    algorithm = str(inputs.get("algorithm") or "RSA")
    private = _pem("PRIVATE KEY", "tls-key", resource_id, lines=50 if algorithm == "RSA" else 3)
    public = _pem("PUBLIC KEY", "tls-pub", resource_id, lines=12 if algorithm == "RSA" else 2)
    fingerprint = stable_hex("tls-fp", resource_id, length=64)
    return {
        "algorithm": algorithm,
        "rsaBits": inputs.get("rsaBits", 2048) if algorithm == "RSA" else None,
        "privateKeyPem": private,
        "privateKeyPemPkcs8": private,
        "privateKeyOpenssh": _pem("OPENSSH PRIVATE KEY", "tls-ssh", resource_id, lines=50),
        "publicKeyPem": public,
        "publicKeyOpenssh": f"ssh-rsa {stable_hex('tls-ssh-pub', resource_id, length=64)} offline",
        "publicKeyFingerprintMd5": ":".join(fingerprint[i : i + 2] for i in range(0, 32, 2)),
        "publicKeyFingerprintSha256": f"SHA256:{fingerprint}",
    }


_OFFLINE_EPOCH = "2026-01-01T00:00:00Z"


def _tls_self_signed_cert(name: str, resource_id: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    """pulumi-tls `SelfSignedCert`'s computed outputs; validity counts from a fixed offline epoch so two
    plans agree."""
    from datetime import datetime, timedelta

    hours = int(inputs.get("validityPeriodHours") or 0)
    start = datetime.fromisoformat(_OFFLINE_EPOCH.replace("Z", "+00:00"))
    return {
        "certPem": _pem("CERTIFICATE", "tls-cert", resource_id, lines=30),
        "keyAlgorithm": "RSA",
        "validityStartTime": _OFFLINE_EPOCH,
        "validityEndTime": (start + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "readyForRenewal": False,
    }


KNOWN_AFTER_APPLY = "(known after apply)"


def _time_offset(name: str, resource_id: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    """pulumiverse-time `Offset`: without a base it counts from the moment of creation, which a plan cannot
    know, so the offset and what reads it show a stable placeholder; with a base, the real sum."""
    from datetime import datetime, timedelta

    base = inputs.get("baseRfc3339")
    if not isinstance(base, str):
        return {"baseRfc3339": KNOWN_AFTER_APPLY, "rfc3339": KNOWN_AFTER_APPLY}
    start = datetime.fromisoformat(base.replace("Z", "+00:00"))
    moment = start + timedelta(days=int(inputs.get("offsetDays") or 0))
    return {"rfc3339": moment.strftime("%Y-%m-%dT%H:%M:%SZ")}


def _tgw(name: str, resource_id: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    return {
        "associationDefaultRouteTableId": f"tgw-rtb-{stable_hex('default-rtb', resource_id)}",
        "propagationDefaultRouteTableId": f"tgw-rtb-{stable_hex('default-rtb', resource_id)}",
    }


def _palette_uid(*parts: str) -> str:
    return stable_hex("palette", *parts, length=24)


_IMPORT_MANIFEST = """apiVersion: v1
kind: Namespace
metadata:
  name: cluster-{uid}
"""


def _palette_resource(name: str, resource_id: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    """Palette's dynamic resources, told apart by their inputs (they share one type token)."""
    if "clusterName" in inputs and "clusterUid" not in inputs:  # the cluster import
        uid = _palette_uid("cluster", str(inputs["clusterName"]))
        return {
            "clusterUid": uid,
            "cloudConfigUid": _palette_uid("cloudconfig", uid),
            "importManifest": _IMPORT_MANIFEST.format(uid=uid),
        }
    if "profile" in inputs and "profileUid" not in inputs:
        layers = {"os": "os", "k8s": "kubernetes", "cni": "cni"}
        packs = {layer: _palette_uid("pack", name, key) for layer, key in layers.items()}
        # Each version is its own object in Palette, with its own uid. The versions the hub is told to keep
        # are taken to exist (it published them before); those kept while pools use them are not known
        # before a real `pulumi up`.
        version = str((inputs["profile"] or {}).get("version") or "")
        kept = {v: _palette_uid("profile", name, v) for v in inputs.get("keepVersions") or []}
        return {
            "profileUid": _palette_uid("profile", name, version),
            "published": True,
            "retainedVersions": kept,
            "packUids": packs,
        }
    if "pool" in inputs:
        return {
            "poolUid": _palette_uid("pool", name),
            "poolClusterUid": _palette_uid("pool-cluster", name),
            "poolCloudConfigUid": _palette_uid("pool-config", name),
        }
    return {}


def _launch_template(name: str, resource_id: str, inputs: dict[str, Any], region: str) -> dict[str, Any]:
    """A new launch template's first version, as EC2 numbers it."""
    return {"latestVersion": 1, "defaultVersion": 1}


COMPUTED: dict[str, Computed] = {
    "pulumi-python:dynamic:Resource": _palette_resource,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:ec2/vpnConnection:VpnConnection": _vpn_connection,
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:ssm/activation:Activation": _ssm_activation,
    "aws:ec2transitgateway/transitGateway:TransitGateway": _tgw,
    "aws:rolesanywhere/trustAnchor:TrustAnchor": _rolesanywhere("trust-anchor"),
    "aws:rolesanywhere/profile:Profile": _rolesanywhere("profile"),
    "tls:index/privateKey:PrivateKey": _tls_private_key,
    "tls:index/selfSignedCert:SelfSignedCert": _tls_self_signed_cert,
    "time:index/offset:Offset": _time_offset,
}


def _arn(type_token: str, resource_id: str, name: str, region: str) -> str | None:
    if not type_token.startswith("aws:"):
        return None
    module = type_token.split(":")[1].split("/")[0]
    kind = type_token.rsplit(":", 1)[-1]
    if module == "iam":
        return f"arn:aws:iam::{ACCOUNT_ID}:{kind[0].lower() + kind[1:]}/{name}"
    service = {"ec2transitgateway": "ec2", "vpc": "ec2"}.get(module, module)
    return f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{kind.lower()}/{resource_id}"


def mock_id(type_token: str, name: str) -> str:
    """The id the offline engine gives a resource it creates (`cgw-2ffbd22b0c4071735`)."""
    return f"{_id_prefix(type_token)}-{stable_hex(type_token, name)}"


def mock_state(
    type_token: str, name: str, inputs: Mapping[str, Any], region: str, resource_id: str
) -> dict[str, Any]:
    """A created resource's state: its inputs, then its name and ARN (AWS types), then computed outputs."""
    state = dict(inputs)
    if type_token.startswith("aws:"):
        state.setdefault("name", inputs.get("name") or name)
        arn = _arn(type_token, resource_id, str(state["name"]), region)
        if arn:
            state.setdefault("arn", arn)
    computed = COMPUTED.get(type_token)
    if computed:
        state.update(computed(name, resource_id, dict(inputs), region))
    return state


def _strings(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return {s for v in value.values() for s in _strings(v)}
    if isinstance(value, list):
        return {s for v in value for s in _strings(v)}
    return set()


def replaced_values(type_token: str, name: str, inputs: Mapping[str, Any], region: str) -> set[str]:
    """The values a replacement of this resource makes new: its id, its ARN, and every output the offline
    engine derives from its id (found by giving it a second id and keeping what differs). A replaced
    resource gets a new id from AWS, and `pulumi preview` shows its ARN as unknown too."""
    resource_id = mock_id(type_token, name)
    state = mock_state(type_token, name, inputs, region, resource_id)
    other = mock_state(type_token, name, inputs, region, f"{resource_id}-replaced")
    derived = _strings(state) - _strings(other)
    arn = state.get("arn") if isinstance(state.get("arn"), str) else None
    return derived | {resource_id} | ({arn} if arn else set())


class OfflineMocks(Mocks):
    """Answers registrations and invokes with deterministic, plausible state."""

    def __init__(
        self,
        region: str,
        stack_outputs: Mapping[str, tuple[dict[str, Any], list[str]]],
        own_stack: str | None = None,
    ) -> None:
        self.region = region
        # stack name (any of "stack" or "org/project/stack") -> (outputs, secret output names)
        self.stack_outputs = dict(stack_outputs)
        # The stack being planned: its reference to itself reads its previous update's outputs
        # (`components.composition.previous_outputs`), those given for it here, else none (a first deploy).
        self.own_stack = own_stack

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.typ == "pulumi:pulumi:StackReference":
            return self._stack_reference(args)
        resource_id = args.resource_id or mock_id(args.typ, args.name)
        return resource_id, mock_state(args.typ, args.name, dict(args.inputs), self.region, resource_id)

    def _stack_reference(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        full_name = str(args.inputs.get("name") or args.resource_id or args.name)
        key = full_name if full_name in self.stack_outputs else full_name.rsplit("/", 1)[-1]
        if key not in self.stack_outputs and key == self.own_stack:
            return full_name, {"name": full_name, "outputs": {}, "secretOutputNames": []}
        if key not in self.stack_outputs:
            raise LookupError(f"no offline outputs for stack reference {full_name!r}")
        outputs, secret_names = self.stack_outputs[key]
        return full_name, {"name": full_name, "outputs": outputs, "secretOutputNames": list(secret_names)}

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        answer = _INVOKES.get(args.token)
        if answer is None:
            raise LookupError(f"the offline engine has no answer for invoke {args.token}")
        return answer(self, dict(args.args)), []


def _caller_identity(mocks: OfflineMocks, _: dict[str, Any]) -> dict[str, Any]:
    return {
        "accountId": ACCOUNT_ID,
        "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/offline-plan",
        "userId": "AIDAOFFLINEPLAN",
        "id": ACCOUNT_ID,
    }


def _region(mocks: OfflineMocks, args: dict[str, Any]) -> dict[str, Any]:
    region = args.get("name") or args.get("region") or mocks.region
    return {"name": region, "region": region, "id": region, "endpoint": f"ec2.{region}.amazonaws.com"}


def _partition(mocks: OfflineMocks, _: dict[str, Any]) -> dict[str, Any]:
    return {
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "id": "aws",
        "reverseDnsPrefix": "com.amazonaws",
    }


def _eks_get_cluster(mocks: OfflineMocks, args: dict[str, Any]) -> dict[str, Any]:
    name = str(args["name"])
    seed = stable_hex("existing-cluster", name)
    return {
        "name": name,
        "id": name,
        "arn": f"arn:aws:eks:{mocks.region}:{ACCOUNT_ID}:cluster/{name}",
        "endpoint": f"https://{seed.upper()}.gr7.{mocks.region}.eks.amazonaws.com",
        "certificateAuthorities": [{"data": "TU9DSy1DQS1DRVJUSUZJQ0FURQ=="}],
        "roleArn": f"arn:aws:iam::{ACCOUNT_ID}:role/{name}-cluster",
        "version": "1.31",
        "status": "ACTIVE",
        # A single object in pulumi-aws 7 (GetClusterVpcConfigResult), not a list.
        "vpcConfig": {
            "clusterSecurityGroupId": f"sg-{seed}",
            "controlPlaneEgressMode": "AWS_MANAGED",
            "vpcId": "vpc-00000000000000000",
            "subnetIds": [],
            "securityGroupIds": [],
            "endpointPrivateAccess": True,
            "endpointPublicAccess": False,
            "publicAccessCidrs": [],
        },
        "accessConfigs": [{"authenticationMode": "API_AND_CONFIG_MAP"}],
        "kubernetesNetworkConfigs": [{"serviceIpv4Cidr": "172.20.0.0/16", "ipFamily": "ipv4"}],
        # The offline stand-in for an adopted cluster is already set up for hybrid nodes anywhere in
        # RFC 1918 and CGNAT, so any valid inventory plans; tests of a cluster that does not fit patch this.
        "remoteNetworkConfigs": [
            {
                "remoteNodeNetworks": [{"cidrs": list(_REMOTE_RANGES)}],
                "remotePodNetworks": [{"cidrs": list(_REMOTE_RANGES)}],
            }
        ],
        "tags": {},
    }


def _subnet(mocks: OfflineMocks, args: dict[str, Any]) -> dict[str, Any]:
    """Offline, nothing says which Availability Zone or VPC a subnet is in, so the answer leaves both empty
    and the attachment checks (which skip what is unknown) pass offline. `pulumi preview`/`up` ask EC2;
    tests of the checks patch this answer."""
    subnet_id = str(args.get("id") or "subnet-00000000000000000")
    return {
        "id": subnet_id,
        "arn": f"arn:aws:ec2:{mocks.region}:{ACCOUNT_ID}:subnet/{subnet_id}",
        "availabilityZone": "",
        "availabilityZoneId": "",
        "vpcId": "",
        "cidrBlock": "10.0.0.0/24",
        "state": "available",
        "tags": {},
    }


def _nat_gateways(mocks: OfflineMocks, args: dict[str, Any]) -> dict[str, Any]:
    """Offline, nothing says which NAT gateways a VPC has: none, so the deploy-time NAT gateway warning
    (`composition.hub.warn_nat_gateways`) says nothing offline. Tests of it patch this answer."""
    return {"id": str(args.get("vpcId") or ""), "ids": [], "vpcId": args.get("vpcId")}


_INVOKES: dict[str, Callable[[OfflineMocks, dict[str, Any]], dict[str, Any]]] = {
    "aws:ec2/getSubnet:getSubnet": _subnet,
    "aws:ec2/getNatGateways:getNatGateways": _nat_gateways,
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getPartition:getPartition": _partition,
    "aws:eks/getCluster:getCluster": _eks_get_cluster,
}
