"""The README.md written beside a site's files: what each file is for and in which order to apply it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .model import OnPremSite, Placeholder
from .mtu import TCP_MSS, TUNNEL_MTU
from .pod_routes import IDENTITY, kubeconfig_command, kubectl_pod_blocks_command
from .router_setup import SYSCTL_FILE
from .strongswan import UPDOWN_PATH, static_aws_routes


@dataclass(frozen=True)
class FileEntry:
    path: str
    purpose: str
    secret: bool
    placeholders: tuple[str, ...] = ()
    executable: bool = False


def _files_table(files: Sequence[FileEntry]) -> list[str]:
    rows = ["| File | What it is for | Mode |", "|---|---|---|"]
    for entry in files:
        mode = "0600 (secrets)" if entry.secret else "0755" if entry.executable else "0644"
        todo = (
            f" **Placeholders:** {', '.join(f'`{t}`' for t in entry.placeholders)}."
            if entry.placeholders
            else ""
        )
        rows.append(f"| `{entry.path}` | {entry.purpose}{todo} | {mode} |")
    return rows


def _placeholder_table(placeholders: Sequence[Placeholder]) -> list[str]:
    rows = ["| Placeholder | What it stands for | Where the real value comes from |", "|---|---|---|"]
    rows += [f"| `{p.token}` | {p.meaning} | {p.source} |" for p in placeholders]
    return rows


_PATHS = {
    "directConnect": "AWS Direct Connect (a private virtual interface to the Direct Connect gateway)",
    "softwareVpn": "the software VPN appliance in the VPC",
}


def _has(files: Sequence[FileEntry], path: str) -> bool:
    return any(entry.path == path for entry in files)


def _setup_step(site: OnPremSite) -> str:
    """The router setup step: what `router/router-setup.sh` does for this site, with each rule's source."""
    vpn = site.vpn
    asymmetric = "AWS may answer over either tunnel" if vpn is not None else "replies may take another path"
    done = [
        f"turns on IPv4 forwarding and loose reverse-path filtering (`{SYSCTL_FILE}` keeps them; the"
        f" kernel's ip-sysctl documentation recommends loose mode for asymmetric routing, and {asymmetric})"
    ]
    if vpn is not None and vpn.route_based:
        done.append(
            f"creates one XFRM interface per tunnel with its inside address and MTU {TUNNEL_MTU} (set"
            " `OUTSIDE_INTERFACE` to the interface that faces the internet; default `eth0`), so the kernel"
            " fragments larger packets before encryption, as AWS recommends"
        )
    if vpn is not None:
        where = "the tunnel interfaces" if vpn.route_based else "the IPsec policy (`-m policy --pol ipsec`)"
        done.append(
            f"clamps the MSS of TCP SYNs into and out of the tunnels to {TCP_MSS}, matched by {where} (AWS,"
            f" 'Requirements for your customer gateway device': adjust the MSS of TCP packets entering the"
            f" tunnel to {TCP_MSS} bytes)"
        )
    return (
        f"**Router setup.** Install `router/sysctl.d/90-eks-hybrid.conf` as `{SYSCTL_FILE}` and run"
        " `router/router-setup.sh` as root at every boot, before "
        + ("strongSwan" if vpn is not None else "the routing daemons")
        + " (a systemd unit or your distribution's network hooks); running it again changes nothing. It "
        + "; ".join(done)
        + "."
    )


def _router_steps(site: OnPremSite, files: Sequence[FileEntry]) -> list[str]:
    steps: list[str] = []
    vpn = site.vpn
    if vpn is None:
        path = _PATHS.get(site.connectivity, site.connectivity)
        steps.append(
            f"**Path to the VPC.** This site reaches the VPC over {path}; eks-hybrid renders no IPsec for it."
            f" The site's routers must send `{site.vpc_cidr}` that way, and the path must carry"
            f" `{site.node_cidr}` and `{site.pod_cidr}` back (the site stack routes them in the VPC)."
        )
        steps.append(_setup_step(site))
        if site.direct_connect is not None:
            steps.append(
                "**BGP over Direct Connect.** A private virtual interface always runs BGP. Create the VIF's"
                " VLAN subinterface on the router's Direct Connect port with its customer address, fill in"
                " the `<DX_...>` placeholders of `router/frr.conf`, and install it: the router advertises"
                f" `{site.node_cidr}` and `{site.pod_cidr}` and accepts only `{site.vpc_cidr}`."
            )
    else:
        mode = (
            "Route-based tunnels (the default: AWS's VPN is route-based): one 0.0.0.0/0 child SA per tunnel"
            " on its own XFRM interface."
            if vpn.route_based
            else "Policy-based tunnels (`policyBased`): one child SA per tunnel with the one selector pair"
            " the VPN connection was created with (AWS allows one SA pair per tunnel)."
        )
        steps += [
            _setup_step(site),
            f"**IPsec (strongSwan 5.9+ with swanctl).** {mode} Install `router/swanctl.conf` as"
            " `/etc/swanctl/swanctl.conf` (owner root, mode 0600)"
            + (
                ", and `router/strongswan.d/eks-hybrid.conf` as `/etc/strongswan.d/eks-hybrid.conf`"
                if vpn.route_based
                else ""
            )
            + (
                f", and `router/eks-hybrid-updown.sh` as `{UPDOWN_PATH}` (mode 0755)"
                if static_aws_routes(site)
                else ""
            )
            + ". Open UDP 500 and 4500 (and IP protocol 50 without NAT) to both tunnel outside addresses.",
        ]
        steps.append(
            "**Bring the tunnels up.** `swanctl --load-all`, then `swanctl --list-sas`: both `aws-tunnel1`"
            " and `aws-tunnel2` ESTABLISHED, each with one INSTALLED child SA. AWS's console shows both"
            " tunnels UP."
        )
    if _has(files, "router/frr.conf"):
        steps.append(
            "**BGP (FRR 8+).** Install `router/frr.conf` as `/etc/frr/frr.conf`, set `bgpd=yes` and"
            " `staticd=yes` in `/etc/frr/daemons`, check it with `vtysh --dryrun -f /etc/frr/frr.conf`,"
            " restart FRR, then `vtysh -c 'show bgp summary'`."
        )
    routes = static_aws_routes(site)
    networks = ", ".join(f"`{n}`" for n in site.aws_networks)
    if routes:
        commands = "\n".join(f"   {c}" for c in routes)
        steps.append(
            "**Routes to AWS.** Static routing over the tunnel interfaces: while a tunnel's child SA is up,"
            f" `{UPDOWN_PATH}` routes {networks} over its interface, tunnel 1 preferred (an XFRM interface"
            " stays up without an SA, so a fixed route would drop traffic while its tunnel is down). With"
            " both tunnels up (`ip route`):\n\n   ```sh\n"
            + commands
            + f"\n   ```\n\n   Other routers of the site must send {networks} to this router."
        )
    elif vpn is not None and vpn.routing == "static":
        steps.append(
            f"**Routes to AWS.** With policy-based tunnels charon installs {networks} into routing"
            " table 220 while a tunnel's child SA is up (`ip route show table 220`); nothing else is needed"
            f" on this router. Other routers of the site must send {networks} to this router."
        )
    return steps


def _pod_routing(site: OnPremSite, files: Sequence[FileEntry]) -> list[str]:
    block = f"/{site.pod_block_prefix_length}"
    peering = site.cilium_bgp
    if peering is not None:
        if peering.shared_pod_cidrs:
            others = ", ".join(f"`{cidr}`" for cidr in peering.shared_pod_cidrs)
            accepted = (
                f"{block} blocks of the pod CIDR or, since Cilium's cluster-pool IPAM spans several sites,"
                f" of the other sites' pod CIDRs ({others}); it passes the node blocks on to AWS with the"
                " aggregates, so the transit gateway sends each block to the site whose node holds it"
            )
        else:
            accepted = (
                f"{block} blocks of the pod CIDR; it never passes them on to AWS (AWS routes the whole pod"
                " CIDR to this site)"
            )
        applier = (
            "This site's stack applies the objects once its first node runs Cilium's operator"
            if peering.declared_by_site
            else "The hub applies the objects"
        )
        return [
            "## How pod traffic finds its node: Cilium BGP",
            "",
            f"Cilium gives each node a {block} block and, with its BGP control plane, each node advertises"
            f" its blocks to this router. {applier} (`cluster/cilium-bgp.yaml` shows"
            f" them): the site's nodes dial `{peering.router_address}` (ASN {peering.router_asn}) from ASN"
            f" {peering.cluster_asn}, so give the router that address on the nodes' segment (eBGP, one hop)."
            f" The router listens over the node CIDR `{site.node_cidr}` and accepts only {accepted}.",
            "",
            "Check: `cilium bgp peers` shows one established session per node, and"
            " `vtysh -c 'show ip route bgp'` on the router one route per node block.",
        ]
    lines = [
        "## How pod traffic finds its node: static routes",
        "",
        f"Cilium gives each node a {block} block of `{site.pod_cidr}`; replies from the VPC to a pod reach"
        " this router, which needs one route per block, via the node that owns it. Cilium records both on"
        " each CiliumNode (`spec.ipam.podCIDRs` with cluster-pool IPAM, `spec.ipam.pools.allocated` with"
        " multi-pool, and the node's `InternalIP` in `spec.addresses`). List them:",
        "",
        "```sh",
        kubectl_pod_blocks_command(site.name),
        "```",
        "",
        "Each line is `<node InternalIP> | <block>`; the router needs `ip route replace <block> via <node"
        " InternalIP>` for each. A block is allocated when a node joins and released when it is deleted, so"
        " keep the routes current with `router/pod-routes.sh`: it adds or replaces one route per block,"
        " removes the ones whose node is gone, and changes nothing if the API server cannot be read. Run it"
        " every minute from a systemd timer or cron. (Or give the site a `bgpPeer` in the hub's inventory,"
        " with `cilium.bgpControlPlane` on, and let the nodes advertise their blocks.)",
    ]
    if not _has(files, "router/pod-routes.sh"):
        return lines[:-1]
    return [*lines, "", IDENTITY, "", "```sh", kubeconfig_command(site), "```"]


def site_readme(
    site: OnPremSite,
    files: Sequence[FileEntry],
    *,
    source: str,
    placeholders: Sequence[Placeholder] = (),
    warnings: Sequence[str] = (),
) -> str:
    """The site's README.md."""
    lines = [
        f"# Site `{site.name}`: on-prem and edge files",
        "",
        f"Written by `eks-hybrid render` for site `{site.name}` of hub `{site.hub}` (cluster"
        f" `{site.cluster_name}`, {site.region}, Kubernetes {site.kubernetes_version}) from {source}.",
        f"Node CIDR `{site.node_cidr}`, pod CIDR `{site.pod_cidr}`, VPC CIDR `{site.vpc_cidr}`.",
        "",
        "## Files",
        "",
        *_files_table(files),
        "",
    ]
    if placeholders:
        lines += [
            "## Placeholders",
            "",
            "Some values exist only once the stacks are deployed. Render again with the deployed outputs"
            " (`eks-hybrid render --outputs site.json --hub-outputs hub.json`, each from `pulumi stack output"
            " --json --show-secrets`) to fill them in; do not apply a file that still holds one.",
            "",
            *_placeholder_table(placeholders),
            "",
        ]
        by_hand = [p.token for p in placeholders if not p.from_outputs]
        if by_hand:
            lines += [
                f"No stack output carries {', '.join(f'`{t}`' for t in by_hand)}: AWS assigns the private"
                " virtual interface's VLAN, peer IPs and BGP key when the VIF is created (outside these"
                " stacks), and its peer ASN is the Direct Connect gateway's, which the site names by id only."
                " Fill them in by hand in `router/frr.conf` from the commands in the table above.",
                "",
            ]
    if warnings:
        lines += ["## Warnings", "", *(f"- {w}" for w in warnings), ""]
    order = [
        "**Hub.** `pulumi up` the hub stack.",
        "**Provider image.** Merge `edge/edgeforge-<arch>.arg` into your CanvOS `.arg` and build the"
        " provider image; push it to the registry the hub's `palette.profile.os.providerImage` names.",
        "**Edge hosts.** Install each host in Appliance Mode with `edge/user-data.yaml` (it carries the"
        " bind mounts nodeadm needs) and let it register with Palette.",
        "**Site.** `pulumi up` the site stack (VPN connection and Palette node pools; the pools need the"
        " registered hosts), then render again with its outputs so the router files carry the real tunnel"
        " addresses and keys.",
        *_router_steps(site, files),
        "**Nodes.** Palette runs nodeadm on each host of a pool. `edge/nodeconfig/<host>.yaml` is the"
        " NodeConfig for that host, to join it by hand (`nodeadm init -c file://<host>.yaml`) or to compare"
        " with what Palette wrote.",
    ]
    if site.cilium_bgp is not None:
        order.append(
            "**Pod routes.** The hub's Cilium BGP objects make the nodes peer with the router (see below)."
        )
    elif _has(files, "router/pod-routes.sh"):
        order.append("**Pod routes.** Install `router/pod-routes.sh` on the router and run it on a timer.")
    lines += ["## In this order", "", *(f"{n}. {step}" for n, step in enumerate(order, 1)), ""]
    lines += [*_pod_routing(site, files), ""]
    return "\n".join(lines)
