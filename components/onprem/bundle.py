"""Every file a site needs on-prem and at the edge, from one `OnPremSite`: the composition of the renderers.

`render_site` decides which files a site gets (a swanctl.conf only with a VPN, an frr.conf only with BGP,
Cilium objects only with its BGP control plane, a pod-routes script without it), marks the ones holding
secrets, heads each file that still carries a placeholder with a warning, and writes the README last.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from ..cni.bgp import cluster_config_name, site_bgp_objects
from ..nodeconfig import (
    ClusterDetails,
    Credentials,
    IamRolesAnywhereCredentials,
    SsmCredentials,
    node_config,
    node_config_yaml,
)
from .edgeforge import canvos_warning, edgeforge_arg, edgeforge_kubernetes_version
from .frr import frr_conf
from .model import EdgeHost, OnPremSite, Placeholder, is_placeholder, placeholders_in
from .mtu import TCP_MSS
from .pod_routes import pod_routes_script
from .router_setup import router_setup_script, sysctl_conf
from .site_readme import FileEntry, site_readme
from .strongswan import charon_snippet, static_routes_updown, swanctl_conf
from .userdata import appliance_mode_user_data, merge_user_data, user_data_text

README = "README.md"
DEFAULT_ARCHITECTURE = "amd64"
_COMMENT = {".conf": "#", ".arg": "#", ".yaml": "#", ".sh": "#"}
_FRR_COMMENT = "!"

# nodeadm's validator checks the shape of these values; a placeholder goes in after it passed.
_STAND_INS = {
    "ssm_activation_id": "00000000-0000-4000-8000-000000000000",
    "trust_anchor_arn": "arn:aws:rolesanywhere:us-east-1:000000000000:trust-anchor/stand-in",
    "profile_arn": "arn:aws:rolesanywhere:us-east-1:000000000000:profile/stand-in",
    "role_arn": "arn:aws:iam::000000000000:role/stand-in",
}


@dataclass(frozen=True)
class RenderedFile:
    path: str
    content: str = ""
    purpose: str = ""
    secret: bool = False
    executable: bool = False

    def __repr__(self) -> str:  # never show a file's content (it may hold keys) in logs or tracebacks
        return f"RenderedFile(path={self.path!r}, secret={self.secret})"


@dataclass(frozen=True)
class SiteBundle:
    site: str
    files: tuple[RenderedFile, ...]
    placeholders: tuple[Placeholder, ...]
    warnings: tuple[str, ...]

    def file(self, path: str) -> RenderedFile:
        for rendered in self.files:
            if rendered.path == path:
                return rendered
        raise KeyError(path)

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(rendered.path for rendered in self.files)


def _credentials(site: OnPremSite, host: EdgeHost) -> tuple[Credentials, dict[str, str]]:
    """The host's nodeadm credentials with stand-ins for placeholders, and stand-in -> placeholder."""
    identity = site.identity
    swaps: dict[str, str] = {}

    def value(field: str) -> str:
        actual = getattr(identity, field)
        if is_placeholder(actual) and field in _STAND_INS:
            swaps[_STAND_INS[field]] = actual
            return _STAND_INS[field]
        return str(actual)

    if identity.provider == "ssm":
        return SsmCredentials(value("ssm_activation_id"), identity.ssm_activation_code), swaps
    return (
        IamRolesAnywhereCredentials(
            node_name=host.node_name,
            trust_anchor_arn=value("trust_anchor_arn"),
            profile_arn=value("profile_arn"),
            role_arn=value("role_arn"),
        ),
        swaps,
    )


def _swap(document: Any, swaps: Mapping[str, str]) -> Any:
    if isinstance(document, dict):
        return {key: _swap(item, swaps) for key, item in document.items()}
    if isinstance(document, list):
        return [_swap(item, swaps) for item in document]
    return swaps.get(document, document) if isinstance(document, str) else document


def host_node_config(site: OnPremSite, host: EdgeHost) -> dict[str, Any]:
    """The host's NodeConfig: the hub's credentials, the pool's labels and the site label."""
    credentials, swaps = _credentials(site, host)
    endpoint = site.cluster_endpoint
    labels = {**host.labels, "eks-hybrid/site": site.name}
    document = node_config(
        site.cluster_name,
        site.region,
        credentials,
        cluster=ClusterDetails(
            endpoint.api_server_endpoint, endpoint.certificate_authority, endpoint.service_cidr
        )
        if endpoint is not None
        else None,
        node_labels=labels,
        source=host.node_config_path,
    )
    swapped: dict[str, Any] = _swap(document, swaps)
    return swapped


def _cilium_objects(site: OnPremSite) -> str:
    peering = site.cilium_bgp
    assert peering is not None
    objects = site_bgp_objects(
        site.name,
        cluster_asn=peering.cluster_asn,
        router_address=peering.router_address,
        router_asn=peering.router_asn,
        chart_version=peering.chart_version,
        ipam=peering.ipam,
        per_site=peering.declared_by_site,
    )
    if peering.declared_by_site:
        applier = (
            "# router. This site's own stack applies them (CiliumBgpPeering) once its first node runs\n"
            f"# Cilium's operator (hub stack {site.hub} runs it on hybrid nodes); they are here to compare\n"
            "# with the router's side, not to apply by hand:"
        )
    else:
        applier = (
            f"# router. Hub stack {site.hub} applies them (CiliumBgpPeering); they are here to compare with\n"
            "# the router's side, not to apply by hand:"
        )
    header = (
        f"# Cilium BGP control plane objects for eks-hybrid site {site.name}: its nodes peer with its\n"
        f"{applier} kubectl get ciliumbgpclusterconfig {cluster_config_name(site.name)} -o yaml\n"
    )
    return header + yaml.safe_dump_all(objects, sort_keys=False, explicit_start=True)


def _with_warning(rendered: RenderedFile) -> RenderedFile:
    """Head a file that still holds placeholders with a line saying so (after `#cloud-config` or `#!`)."""
    tokens = placeholders_in(rendered.content)
    if not tokens:
        return rendered
    suffix = "." + rendered.path.rsplit(".", 1)[-1]
    comment = _FRR_COMMENT if rendered.path.endswith("frr.conf") else _COMMENT.get(suffix, "#")
    warning = f"{comment} NOT READY: replace {', '.join(tokens)} first (see README.md, Placeholders)."
    first, _, rest = rendered.content.partition("\n")
    if first.startswith(("#!", "#cloud-config")):
        content = f"{first}\n{warning}\n{rest}"
    else:
        content = f"{warning}\n{rendered.content}"
    return RenderedFile(rendered.path, content, rendered.purpose, rendered.secret, rendered.executable)


def render_site(
    site: OnPremSite,
    *,
    user_data: Mapping[str, Any] | None = None,
    source: str = "the offline plan",
) -> SiteBundle:
    """Every file of the site. Raises `EdgeForgeError`, `UserDataError` or nodeadm's `PlanError` on input
    that cannot make a working file."""
    kubernetes_version = edgeforge_kubernetes_version(
        site.kubernetes_version, site.profile_kubernetes_version
    )
    warnings = [w for w in (canvos_warning(kubernetes_version),) if w]
    files: list[RenderedFile] = []
    if site.vpn is not None:
        files.append(
            RenderedFile(
                "router/swanctl.conf",
                swanctl_conf(site),
                "strongSwan: both AWS tunnels (IKEv2, the VPN's proposals, DPD) and their pre-shared keys",
                secret=True,
            )
        )
        updown = static_routes_updown(site)
        if updown is not None:
            files.append(
                RenderedFile(
                    "router/eks-hybrid-updown.sh",
                    updown,
                    "strongSwan updown hook: routes the networks reached through AWS over a tunnel while its"
                    " SA is up (static routing over route-based tunnels)",
                    executable=True,
                )
            )
        snippet = charon_snippet(site)
        if snippet is not None:
            files.append(
                RenderedFile(
                    "router/strongswan.d/eks-hybrid.conf",
                    snippet,
                    "charon setting for route-based tunnels: no routes from the 0/0 selectors",
                )
            )
    files += [
        RenderedFile(
            "router/sysctl.d/90-eks-hybrid.conf",
            sysctl_conf(site),
            "kernel settings every router variant needs: IPv4 forwarding, loose reverse-path filtering",
        ),
        RenderedFile(
            "router/router-setup.sh",
            router_setup_script(site),
            "applies the kernel settings"
            + (", creates the tunnel interfaces" if site.vpn is not None and site.vpn.route_based else "")
            + (f", clamps TCP MSS to AWS's {TCP_MSS} in the tunnels" if site.vpn is not None else "")
            + "; run at every boot",
            executable=True,
        ),
    ]
    frr = frr_conf(site)
    if frr is not None:
        files.append(
            RenderedFile(
                "router/frr.conf",
                frr,
                "FRR: BGP with AWS (over both tunnels or the Direct Connect VIF) and/or with the nodes",
            )
        )
    if site.cilium_bgp is not None:
        files.append(
            RenderedFile(
                "cluster/cilium-bgp.yaml",
                _cilium_objects(site),
                "the Cilium BGP control plane objects the hub applies for this site (its nodes advertise"
                " their pod blocks to the router), to compare with the router's side",
            )
        )
    else:
        files.append(
            RenderedFile(
                "router/pod-routes.sh",
                pod_routes_script(site),
                "keeps one route per node pod block on the router, from the CiliumNodes",
                executable=True,
            )
        )
    for architecture in site.architectures or (DEFAULT_ARCHITECTURE,):
        files.append(
            RenderedFile(
                f"edge/edgeforge-{architecture}.arg",
                edgeforge_arg(site.name, kubernetes_version, architecture, site.provider_image),
                f"EdgeForge build arguments for the {architecture} provider image",
            )
        )
    merged = merge_user_data(user_data, appliance_mode_user_data())
    files.append(
        RenderedFile(
            "edge/user-data.yaml",
            user_data_text(merged),
            "Appliance Mode user-data with the bind mounts nodeadm needs"
            + (", merged into yours" if user_data else ""),
            # a user's user-data usually carries a registration token or passwords
            secret=user_data is not None,
        )
    )
    for host in site.edge_hosts:
        files.append(
            RenderedFile(
                host.node_config_path,
                node_config_yaml(host_node_config(site, host)),
                f"nodeadm NodeConfig for host {host.uid} (pool {host.pool})",
                secret=site.identity.provider == "ssm",
            )
        )
    files = [_with_warning(rendered) for rendered in files]
    used = {token for rendered in files for token in placeholders_in(rendered.content)}
    placeholders = tuple(p for p in site.placeholders if p.token in used)
    entries = [
        FileEntry(f.path, f.purpose, f.secret, tuple(placeholders_in(f.content)), f.executable) for f in files
    ]
    readme = site_readme(site, entries, source=source, placeholders=placeholders, warnings=warnings)
    files.insert(0, RenderedFile(README, readme, "this file"))
    return SiteBundle(site.name, tuple(files), placeholders, tuple(warnings))
