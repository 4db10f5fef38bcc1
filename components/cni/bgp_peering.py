"""`CiliumBgpPeering`: the Cilium BGP control plane objects of `bgp.py`, applied with pulumi-kubernetes.

A thin wiring point for the hub: nothing declares it yet. Once the hub config names each site's router
address and the cluster's ASN (issue 17), the hub creates one per site, after its `Cilium` release (the
release installs the CRDs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

CILIUM_BGP_PEERING = "eks-hybrid:cni:CiliumBgpPeering"


@dataclass(frozen=True)
class CiliumBgpPeeringArgs:
    objects: Sequence[Mapping[str, Any]]
    """The documents of `bgp.site_bgp_objects` (peer config, advertisement, the site's cluster config)."""
    k8s_provider: k8s.Provider
    """The cluster's Kubernetes provider."""


def child_name(name: str, document: Mapping[str, Any]) -> str:
    """`<name>-<kind>-<metadata.name>`: stable, from the object's identity, never a list index."""
    return f"{name}-{str(document['kind']).lower()}-{document['metadata']['name']}"


class CiliumBgpPeering(pulumi.ComponentResource):
    """Cilium BGP control plane objects on the cluster, one custom resource each."""

    def __init__(
        self, name: str, args: CiliumBgpPeeringArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(CILIUM_BGP_PEERING, name, None, opts)
        self.resources = [
            k8s.apiextensions.CustomResource(
                child_name(name, document),
                api_version=document["apiVersion"],
                kind=document["kind"],
                metadata=k8s.meta.v1.ObjectMetaArgs(**document["metadata"]),
                spec=document["spec"],
                opts=pulumi.ResourceOptions(parent=self, provider=args.k8s_provider),
            )
            for document in args.objects
        ]
        self.register_outputs({"objects": [child_name(name, d) for d in args.objects]})
