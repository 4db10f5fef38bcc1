"""Where Cilium's operator runs, and so who declares the BGP objects: pure, the one home of that decision
(`cni.values` builds the chart values from it, the stack-file contract checks the key with it, a site stack
reads it from its hub's outputs).

AWS, "Configure CNI for hybrid nodes" (hybrid-nodes-cni.html, "Cilium considerations"): "Cilium is not
supported by AWS when running on nodes in AWS Cloud", and AWS's Cilium install values on that page give the
operator the node affinity `eks.amazonaws.com/compute-type: hybrid`.
"""

from __future__ import annotations

from ..codes import Code
from ..errors import Reason, RuleError
from .defaults import CiliumIpam, CiliumOperatorPlacement

__all__ = ["OperatorPlacement", "bgp_objects_in_sites", "operator_placement", "operator_placement_problem"]

OperatorPlacement = CiliumOperatorPlacement
Ipam = CiliumIpam


def operator_placement_problem(ipam: Ipam, configured: OperatorPlacement | None) -> Reason | None:
    """Why `configured` (`eks-hybrid:cilium.operatorPlacement`) cannot be this hub's, or None: multi-pool
    needs its pools before any hybrid node joins (a node without a pool gets no pod address), so the hub
    declares them in the update that installs Cilium, and the operator that registers their CRDs runs on
    the cloud node group."""
    if ipam == "multiPool" and configured == "hybrid":
        return Reason(
            Code.OPERATOR_PLACEMENT,
            "multi-pool IPAM needs Cilium's operator on the cloud node group: the hub declares each site's"
            " pool before any hybrid node joins, and only the running operator registers the pools' CRDs;"
            " remove operatorPlacement (or set cloud), or use ipam: clusterPool",
        )
    return None


def operator_placement(ipam: Ipam, configured: OperatorPlacement | None = None) -> OperatorPlacement:
    """Where Cilium's operator runs: always on the cloud node group with multi-pool (it registers the
    pools' CRDs before any hybrid node joins); with cluster-pool where `configured` says, on hybrid nodes by
    default, as AWS supports it ("Configure CNI for hybrid nodes": "Cilium is not supported by AWS when
    running on nodes in AWS Cloud"; AWS's install values give the operator the affinity
    `eks.amazonaws.com/compute-type: hybrid`). `cloud` with cluster-pool keeps the layout of eks-hybrid 0.2
    (the hub declares the BGP objects). Raises `RuleError` on a placement multi-pool cannot run with.

    The BGP control plane does not move the operator: with the operator on hybrid nodes, each site stack
    declares its own BGP objects once its nodes exist (`bgp_objects_in_sites`)."""
    problem = operator_placement_problem(ipam, configured)
    if problem:
        raise RuleError(problem.text, problem.code)
    if ipam == "multiPool":
        return "cloud"
    return configured or "hybrid"


def bgp_objects_in_sites(placement: OperatorPlacement) -> bool:
    """Whether each site stack, rather than the hub, declares its site's Cilium BGP objects. Their CRDs
    exist once the operator runs: on the cloud node group, in the hub's own update; on hybrid nodes, only
    once a site's first node joins, which its site stack's node pools bring, so the site declares them
    after its pools and the hub never waits on a node it does not create."""
    return placement == "hybrid"
