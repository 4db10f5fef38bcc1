"""A site stack's own Cilium BGP objects, when its hub runs Cilium's operator on hybrid nodes.

AWS supports Cilium only on hybrid nodes ("Configure CNI for hybrid nodes", hybrid-nodes-cni.html, "Cilium
considerations": "Cilium is not supported by AWS when running on nodes in AWS Cloud"), and AWS's Cilium
install values give the operator the affinity `eks.amazonaws.com/compute-type: hybrid`. The operator
registers Cilium's CRDs when it starts (`cni/crds.py`), so with it on hybrid nodes the BGP CRDs exist only
once a first hybrid node has joined. The hub creates no hybrid node; a site stack does (its Palette node
pools). So the site, not the hub, declares its BGP objects (`cni.values.bgp_objects_in_sites`): after its
node pools, gated by a `CiliumCrdsEstablished` bounded by `eks-hybrid:site.ciliumCrdWaitMinutes`, through a
Kubernetes provider built from the hub's outputs with the kubeconfig the hub builds for itself
(`cluster.planning.kubeconfig`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from ..cluster.planning import kubeconfig
from ..cni import CiliumBgpPeer, CiliumBgpPeering, CiliumBgpPeeringArgs
from ..cni.crd_wait import CiliumCrdsEstablished
from ..cni.crds import bgp_crds
from ..codes import Code
from ..domain import defaults
from ..domain.cilium_operator import bgp_objects_in_sites
from ..domain.hub_outputs import HUB_SITE_BGP_OUTPUTS, HubOutput
from ..domain.inventory import SiteInventoryEntry
from ..errors import PlanError, Problem

__all__ = ["SiteBgp", "declare_site_bgp", "site_bgp"]


@dataclass(frozen=True)
class SiteBgp:
    """What a site stack needs to declare its own Cilium BGP objects."""

    site: str
    cluster_asn: int
    router_address: str
    router_asn: int
    chart_version: str
    ipam: str
    kubeconfig: str
    """The hub cluster's kubeconfig (JSON; tokens from `aws eks get-token`, no credential in it)."""
    wait_seconds: float


def site_bgp(
    site: str,
    entry: SiteInventoryEntry,
    outputs: Mapping[str, Any],
    *,
    ipam: str,
    wait_minutes: int,
    file: str,
    hub: str,
) -> SiteBgp | None:
    """The site's own BGP objects, or None when the hub declares them (its operator on the cloud node group,
    or a hub of eks-hybrid 0.2 that exports no `ciliumOperatorPlacement`) or the site's nodes do not peer
    over Cilium BGP. Raises `PlanError` when the hub lacks an output this needs."""
    placement = outputs.get(HubOutput.CILIUM_OPERATOR_PLACEMENT)
    if placement not in defaults.CILIUM_OPERATOR_PLACEMENTS or not bgp_objects_in_sites(placement):
        return None
    if outputs.get(HubOutput.CILIUM_BGP_CONTROL_PLANE) is not True or entry.bgp_peer is None:
        return None
    needed = (*HUB_SITE_BGP_OUTPUTS, HubOutput.REGION)
    missing = [name for name in needed if outputs.get(name) is None]
    if missing:
        raise PlanError(
            Problem(
                file,
                f"eks-hybrid:hub ({hub})",
                f"the hub runs Cilium's operator on hybrid nodes, so this site declares its own BGP objects,"
                f" and the hub exports no {name}: run `pulumi up` on the hub with this version first",
                Code.HUB_OUTPUTS_MISSING,
            )
            for name in missing
        )
    config = kubeconfig(
        str(outputs[HubOutput.CLUSTER_NAME]),
        str(outputs[HubOutput.CLUSTER_ENDPOINT]),
        str(outputs[HubOutput.CLUSTER_CERTIFICATE_AUTHORITY]),
        str(outputs[HubOutput.REGION]),
    )
    return SiteBgp(
        site=site,
        # Read back through a StackReference, numbers arrive as doubles (65100.0).
        cluster_asn=int(outputs[HubOutput.CILIUM_CLUSTER_ASN]),
        router_address=entry.bgp_peer.address,
        router_asn=entry.bgp_peer.asn,
        chart_version=str(outputs[HubOutput.CILIUM_CHART_VERSION]),
        ipam=ipam,
        kubeconfig=json.dumps(config),
        wait_seconds=wait_minutes * 60.0,
    )


def declare_site_bgp(bgp: SiteBgp, after: Sequence[pulumi.Resource]) -> CiliumBgpPeering:
    """The site's BGP objects in the hub's cluster, once their CRDs are Established (which needs the site's
    first node, brought by `after`: its node pools): `<site>-k8s` (the provider), `<site>-cilium-crds`
    (the wait) and `<site>-cilium-bgp` (`CiliumBgpPeering`, per-site names)."""
    provider = k8s.Provider(f"{bgp.site}-k8s", kubeconfig=bgp.kubeconfig)
    wait = CiliumCrdsEstablished(
        f"{bgp.site}-cilium-crds",
        kubeconfig=bgp.kubeconfig,
        crds=bgp_crds(bgp.chart_version),
        operator_placement="hybrid",
        timeout_seconds=bgp.wait_seconds,
        opts=pulumi.ResourceOptions(depends_on=list(after)),
    )
    return CiliumBgpPeering(
        f"{bgp.site}-cilium-bgp",
        CiliumBgpPeeringArgs(
            cluster_asn=bgp.cluster_asn,
            peers={bgp.site: CiliumBgpPeer(address=bgp.router_address, asn=bgp.router_asn)},
            ipam=bgp.ipam,
            chart_version=bgp.chart_version,
            per_site=True,
        ),
        pulumi.ResourceOptions(providers=[provider], depends_on=[wait]),
    )
