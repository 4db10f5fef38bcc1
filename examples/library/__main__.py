"""An EKS hybrid nodes estate from eks-hybrid's components, in a program that owns its own network.

The program makes its VPC, subnets and route tables itself; every component takes them as Outputs. The hub
routes dallas (a Site-to-Site VPN on the transit gateway) from both route tables; chicago (a VPN on the
virtual private gateway) routes its own CIDRs. Children are named by the keys written here (route tables
`private-a`/`private-b`, sites `dallas`/`chicago`, pools), never by ids or CIDRs.
"""

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from eks_hybrid.components.cluster import (
    ApiAccess,
    CloudNodeGroup,
    HybridCluster,
    HybridClusterArgs,
    hybrid_node_access_entry,
)
from eks_hybrid.components.cni import (
    Cilium,
    CiliumArgs,
    CiliumSitePools,
    CiliumSitePoolsArgs,
    HybridConfig,
    HybridConfigArgs,
)
from eks_hybrid.components.identity import IamRolesAnywhere, NodeIdentity, NodeIdentityArgs
from eks_hybrid.components.network import (
    SiteCidrs,
    SiteConnectivity,
    SiteConnectivityArgs,
    SiteToSiteVpn,
    TransitGatewayHub,
    TransitGatewayHubArgs,
    VirtualPrivateGateway,
    VirtualPrivateGatewayArgs,
)
from eks_hybrid.components.palette import (
    EdgeHost,
    NodePool,
    PaletteHub,
    PaletteHubArgs,
    PaletteNodePools,
    PaletteNodePoolsArgs,
    PaletteProfile,
    iam_roles_anywhere_of,
)

config = pulumi.Config()
region = aws.config.region or "us-west-2"
palette_project = config.require("paletteProjectUid")
# The Palette API key: this program's own secret config, or PALETTE_API_KEY in `pulumi up`'s environment.
palette_api_key = config.get_secret("paletteApiKey")

# --- the program's own network ------------------------------------------------------------------------

vpc = aws.ec2.Vpc("edge", cidr_block="10.100.0.0/16", enable_dns_hostnames=True, tags={"Name": "edge-estate"})
subnets = {
    zone: aws.ec2.Subnet(
        f"edge-{zone}", vpc_id=vpc.id, cidr_block=f"10.100.{index}.0/24", availability_zone=f"{region}{zone}"
    )
    for index, zone in enumerate(("a", "b"))
}
route_tables = {
    f"private-{zone}": aws.ec2.RouteTable(f"edge-private-{zone}", vpc_id=vpc.id) for zone in subnets
}
for zone, subnet in subnets.items():
    aws.ec2.RouteTableAssociation(
        f"edge-private-{zone}", subnet_id=subnet.id, route_table_id=route_tables[f"private-{zone}"].id
    )
subnet_ids = [subnet.id for subnet in subnets.values()]
route_table_ids = {name: table.id for name, table in route_tables.items()}

# Every site's networks, by site name: the same mapping goes to the hub, the cluster and Cilium.
sites = {
    "dallas": SiteCidrs(node_cidr="10.200.0.0/16", pod_cidr="192.168.0.0/16"),
    "chicago": SiteCidrs(node_cidr="10.201.0.0/16", pod_cidr="172.18.0.0/16"),
}

# --- the hub: transit gateway, virtual private gateway -------------------------------------------------

hub = TransitGatewayHub(
    "edge",
    TransitGatewayHubArgs(
        vpc_id=vpc.id,
        vpc_cidr=vpc.cidr_block,
        subnet_ids=subnet_ids,
        route_tables=route_table_ids,
        sites={"dallas": sites["dallas"]},  # chicago routes its own CIDRs, to the VGW
        tags={"estate": "edge"},
        protect=False,
    ),
)
vgw = VirtualPrivateGateway("edge", VirtualPrivateGatewayArgs(vpc_id=vpc.id, protect=False))

# --- two sites -----------------------------------------------------------------------------------------

dallas = SiteConnectivity(
    "dallas",
    SiteConnectivityArgs(
        node_cidr=sites["dallas"]["node_cidr"],
        pod_cidr=sites["dallas"]["pod_cidr"],
        vpn=SiteToSiteVpn(
            customer_gateway_ip="203.0.113.10",
            bgp_asn=65010,
            transit_gateway_id=hub.transit_gateway_id,
            transit_gateway_route_table_id=hub.route_table_id,
        ),
        protect=False,
    ),
)
chicago = SiteConnectivity(
    "chicago",
    SiteConnectivityArgs(
        node_cidr=sites["chicago"]["node_cidr"],
        pod_cidr=sites["chicago"]["pod_cidr"],
        vpn=SiteToSiteVpn(
            customer_gateway_ip="198.51.100.20", bgp_asn=65020, vpn_gateway_id=vgw.vpn_gateway_id
        ),
        route_tables=route_table_ids,
        protect=False,
    ),
)

# --- the EKS side: cluster, node identity, Cilium ------------------------------------------------------

cluster = HybridCluster(
    "edge",
    HybridClusterArgs(
        cluster_name="edge-estate",
        kubernetes_version="1.35",
        region=region,
        subnet_ids=subnet_ids,
        sites=sites,
        node_group=CloudNodeGroup(instance_type="t3.xlarge"),
        # The endpoint is private: admit whoever runs `pulumi up` (here a CI runner's subnet in the VPC).
        api_access=ApiAccess(cidrs=["10.100.8.0/24"]),
        protect=False,
    ),
)
identity = NodeIdentity(
    "edge-nodes",
    NodeIdentityArgs(
        cluster_name=cluster.cluster_name,
        cluster_arn=cluster.cluster_arn,
        region=region,
        iam_roles_anywhere=IamRolesAnywhere(generate_certificate_authority=True),
    ),
)
hybrid_node_access_entry("edge", cluster, identity.role_arn)

k8s_provider = k8s.Provider("edge-k8s", kubeconfig=cluster.kubeconfig)
in_cluster = pulumi.ResourceOptions(providers=[k8s_provider])
cilium = Cilium(
    "edge-cilium",
    CiliumArgs(pod_cidrs=[site["pod_cidr"] for site in sites.values()], ipam="multiPool"),
    # With multi-pool the operator runs on the cloud node group.
    pulumi.ResourceOptions(providers=[k8s_provider], depends_on=[cluster.node_group]),
)
CiliumSitePools(
    "edge-cilium-pools",
    CiliumSitePoolsArgs(sites=sites),
    pulumi.ResourceOptions(providers=[k8s_provider], depends_on=[cilium]),
)
HybridConfig(
    "edge-hybrid-config", HybridConfigArgs(service_cidr="172.20.0.0/16", vpc_cidr=vpc.cidr_block), in_cluster
)

# --- Palette: the cluster, its hybrid settings and profile; each site's pools -------------------------

palette_args = PaletteHubArgs(
    cluster_name=cluster.cluster_name,
    vpc_cidr=vpc.cidr_block,
    node_cidrs=cluster.remote_node_cidrs,
    pod_cidrs=cluster.remote_pod_cidrs,
    profile=PaletteProfile(
        os={"provider_image": "registry.example.com/edge/ubuntu:nodeadm-1.32.0-v4.5.21-eks-hybrid"},
        kubernetes={"version": "1.32.0"},
    ),
    project_uid=palette_project,
    iam_roles_anywhere=iam_roles_anywhere_of(identity),
)
if palette_api_key is not None:
    palette_args["api_key"] = palette_api_key
palette = PaletteHub("edge", palette_args, in_cluster)
pools = {
    "dallas": {
        "dallas-workers": NodePool(edge_hosts=[EdgeHost(uid="edge-7f3a9c01"), EdgeHost(uid="edge-7f3a9c02")])
    },
    "chicago": {
        "chicago-workers": NodePool(edge_hosts=[EdgeHost(uid="edge-8a2b3c01")], architecture="amd64")
    },
}
for site_name, connectivity in (("dallas", dallas), ("chicago", chicago)):
    PaletteNodePools(
        site_name,
        PaletteNodePoolsArgs(
            site=site_name,
            pools=pools[site_name],
            endpoint=palette.endpoint,
            project_uid=palette.project_uid,
            cloud_config_uid=palette.cloud_config_uid,
            profile_uid=palette.profile_uid,
        ),
        pulumi.ResourceOptions(depends_on=[connectivity]),
    )

pulumi.export("transitGatewayId", hub.transit_gateway_id)
pulumi.export("clusterEndpoint", cluster.endpoint)
pulumi.export("dallasTunnels", dallas.tunnel_outside_addresses)
pulumi.export("dallasTunnelKeys", dallas.tunnel_preshared_keys)
pulumi.export("paletteClusterUid", palette.cluster_uid)
