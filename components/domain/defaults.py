"""Defaults and allowed values shared by the components' Args and the stack files' keys: written here once,
used by both (the components' docstrings quote them; `tests/test_defaults.py` checks they agree)."""

from __future__ import annotations

from typing import Final, Literal

# --- the EKS cluster -----------------------------------------------------------------------------------

SERVICE_CIDR: Final = "172.20.0.0/16"
"""The Kubernetes service CIDR when none is given (EKS's own default for clusters in 10.0.0.0/8 VPCs,
`kubernetesNetworkConfig.serviceIpv4Cidr`)."""

EndpointAccess = Literal["private", "public"]
ENDPOINT_ACCESS_VALUES: Final[tuple[EndpointAccess, ...]] = ("private", "public")
"""One endpoint, never both: with both, the endpoint resolves to public addresses off the VPC and hybrid
nodes fail to join (EKS user guide `hybrid-nodes-networking.adoc`)."""
ENDPOINT_ACCESS: Final[EndpointAccess] = "private"

AUTHENTICATION_MODES: Final = ("API", "API_AND_CONFIG_MAP")
"""The modes hybrid nodes join under: they need access entries (EKS user guide
`hybrid-nodes-prereqs.adoc`)."""
AUTHENTICATION_MODE: Final = "API_AND_CONFIG_MAP"

OPEN_TO_THE_INTERNET: Final = "0.0.0.0/0"
"""EKS's `publicAccessCidrs` when none are given: a public endpoint open to every address."""

CoreDnsPlacement = Literal["cloud", "hybrid"]
CORE_DNS_PLACEMENTS: Final[tuple[CoreDnsPlacement, ...]] = ("cloud", "hybrid")
CORE_DNS: Final[CoreDnsPlacement] = "cloud"

# The cloud node group: the Palette agent needs an always-on worker of 4 vCPU, 16 GiB and a 40 GB disk.
CLOUD_INSTANCE_TYPE: Final = "t3.xlarge"
CLOUD_DISK_SIZE_GIB: Final = 50
CLOUD_DESIRED_SIZE: Final = 2
CLOUD_MIN_SIZE: Final = 1
CLOUD_MAX_SIZE: Final = 3

# --- Cilium ----------------------------------------------------------------------------------------------

CILIUM_CHART_VERSION: Final = "1.18.5-0"
"""AWS's build of Cilium for hybrid nodes (the image tag AWS's own CI installs: v1.18.5-0)."""
CILIUM_REPOSITORY: Final = "oci://public.ecr.aws/eks/cilium/cilium"

POD_CIDR_MASK_SIZE: Final = 25
"""The block each node gets from its pod pool: /25 is 128 pod addresses."""
POD_CIDR_MASK_SIZE_MIN: Final = 16
POD_CIDR_MASK_SIZE_MAX: Final = 30

CILIUM_CLUSTER_ASN: Final = 65100
"""The hybrid nodes' ASN in Cilium's BGP control plane (`localASN`)."""

# --- gateways ----------------------------------------------------------------------------------------------

TRANSIT_GATEWAY_ASN: Final = 64512
"""The transit gateway's Amazon-side ASN (AWS's default for CreateTransitGateway)."""
VPN_GATEWAY_ASN: Final = 64513
"""The virtual private gateway's Amazon-side ASN (one apart from the transit gateway's, so a site can see
both)."""

CiliumIpam = Literal["multiPool", "clusterPool"]
CILIUM_IPAM_MODES: Final[tuple[CiliumIpam, ...]] = ("clusterPool", "multiPool")
"""Cilium's IPAM modes eks-hybrid runs: one pool over every site's pod CIDR, or one pool per site."""
CiliumRoutingMode = Literal["native", "tunnel"]
CILIUM_ROUTING_MODES: Final[tuple[CiliumRoutingMode, ...]] = ("native", "tunnel")
"""Cilium's routing modes (`routingMode`): native routing, or VXLAN encapsulation between nodes
(`domain.cilium_upgrade` decides which a hub runs)."""
CiliumOperatorPlacement = Literal["cloud", "hybrid"]
CILIUM_OPERATOR_PLACEMENTS: Final[tuple[CiliumOperatorPlacement, ...]] = ("hybrid", "cloud")
"""Where Cilium's operator may run: on hybrid nodes only (AWS's supported placement) or on the cloud node
group (`eks-hybrid:cilium.operatorPlacement`; `cni.values.operator_placement` decides)."""
SITE_CILIUM_CRD_WAIT_MINUTES: Final = 45
"""How long a site stack waits for Cilium's BGP CRDs before declaring its BGP objects, when the operator
runs on hybrid nodes (`eks-hybrid:site.ciliumCrdWaitMinutes`): the site's first node must be provisioned
by Palette, join, and run the operator first. Inferred: an edge host's provisioning (OS, Kubernetes layer,
nodeadm join) takes tens of minutes; no AWS or Spectro Cloud page states a bound."""
SITE_CILIUM_CRD_WAIT_MINUTES_MAX: Final = 240
