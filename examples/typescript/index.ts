// An EKS hybrid nodes estate from eks-hybrid's components, in a program that owns its own network.
// Children are named by the keys written here (route tables, sites), never by ids or CIDRs.
import * as aws from "@pulumi/aws";
import * as eksHybrid from "@pulumi/eks-hybrid";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const region = aws.config.region ?? "us-west-2";

// The program's own network.
const vpc = new aws.ec2.Vpc("edge", { cidrBlock: "10.100.0.0/16", enableDnsHostnames: true });
const subnets = ["a", "b"].map(
    (zone, index) =>
        new aws.ec2.Subnet(`edge-${zone}`, {
            vpcId: vpc.id,
            cidrBlock: `10.100.${index}.0/24`,
            availabilityZone: `${region}${zone}`,
        }),
);
const privateA = new aws.ec2.RouteTable("edge-private-a", { vpcId: vpc.id });
const privateB = new aws.ec2.RouteTable("edge-private-b", { vpcId: vpc.id });
const routeTables = { "private-a": privateA.id, "private-b": privateB.id };

const sites = {
    dallas: { nodeCidr: "10.200.0.0/16", podCidr: "192.168.0.0/16" },
    chicago: { nodeCidr: "10.201.0.0/16", podCidr: "172.18.0.0/16" },
};

// The hub: dallas reaches the VPC through the transit gateway, chicago through the VGW.
const hub = new eksHybrid.TransitGatewayHub("edge", {
    vpcId: vpc.id,
    vpcCidr: vpc.cidrBlock,
    subnetIds: subnets.map((subnet) => subnet.id),
    routeTables,
    sites: { dallas: sites.dallas },
    protect: false,
});
const vgw = new eksHybrid.VirtualPrivateGateway("edge", { vpcId: vpc.id, protect: false });

const dallas = new eksHybrid.SiteConnectivity("dallas", {
    nodeCidr: sites.dallas.nodeCidr,
    podCidr: sites.dallas.podCidr,
    vpn: {
        customerGatewayIp: "203.0.113.10",
        bgpAsn: 65010,
        transitGatewayId: hub.transitGatewayId,
        transitGatewayRouteTableId: hub.routeTableId,
    },
    protect: false,
});
const chicago = new eksHybrid.SiteConnectivity("chicago", {
    nodeCidr: sites.chicago.nodeCidr,
    podCidr: sites.chicago.podCidr,
    vpn: { customerGatewayIp: "198.51.100.20", bgpAsn: 65020, vpnGatewayId: vgw.vpnGatewayId },
    routeTables,
    protect: false,
});

// The EKS side.
const cluster = new eksHybrid.HybridCluster("edge", {
    clusterName: "edge-estate-ts",
    kubernetesVersion: "1.35",
    region,
    subnetIds: subnets.map((subnet) => subnet.id),
    sites,
    // The endpoint is private: admit whoever runs `pulumi up` (here a CI runner's subnet in the VPC).
    apiAccess: { cidrs: ["10.100.8.0/24"] },
    protect: false,
});
const identity = new eksHybrid.NodeIdentity("edge-nodes", {
    clusterName: cluster.clusterName,
    clusterArn: cluster.clusterArn,
    region,
    ssm: { registrationLimit: 10 },
});
new aws.eks.AccessEntry("edge-hybrid-nodes", {
    clusterName: cluster.clusterName,
    principalArn: identity.roleArn,
    type: "HYBRID_LINUX",
});
const k8sProvider = new k8s.Provider("edge-k8s", { kubeconfig: cluster.kubeconfig });
const cilium = new eksHybrid.Cilium(
    "edge-cilium",
    { podCidrs: Object.values(sites).map((site) => site.podCidr), ipam: "multiPool" },
    { providers: [k8sProvider], dependsOn: [cluster] },
);
new eksHybrid.CiliumSitePools("edge-cilium-pools", { sites }, { providers: [k8sProvider], dependsOn: [cilium] });
new eksHybrid.HybridConfig(
    "edge-hybrid-config",
    { serviceCidr: "172.20.0.0/16", vpcCidr: vpc.cidrBlock },
    { providers: [k8sProvider] },
);

export const transitGatewayId = hub.transitGatewayId;
export const clusterEndpoint = cluster.endpoint;
export const dallasTunnels = dallas.tunnelOutsideAddresses;
export const chicagoVpn = chicago.vpnConnectionId;
export const ssmActivationCode = pulumi.secret(identity.activationCode);
