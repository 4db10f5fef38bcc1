"""`CiliumBgpPeering`: the Cilium BGP control plane objects of `bgp.py`, applied with pulumi-kubernetes.

A thin wiring point for the hub: nothing declares it yet. Once the hub config names each site's router
address and the cluster's ASN, the hub creates one per site, after its `Cilium` release (the release
installs the CRDs). Python only for now (not in the component package): its argument is the documents
`bgp.site_bgp_objects` builds.

No `from __future__ import annotations` here: Pulumi's schema analyzer reads these annotations at run time.
"""

from collections.abc import Mapping, Sequence
from typing import Any, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from .._tokens import component_type

__all__ = ["CILIUM_BGP_PEERING", "CiliumBgpPeering", "CiliumBgpPeeringArgs", "child_name"]

CILIUM_BGP_PEERING = "eks-hybrid:cni:CiliumBgpPeering"


class CiliumBgpPeeringArgs(TypedDict):
    """The arguments of `CiliumBgpPeering`; the Kubernetes provider comes from the options."""

    objects: Sequence[Mapping[str, Any]]
    """The documents of `bgp.site_bgp_objects` (peer config, advertisement, the site's cluster config)."""


def child_name(name: str, document: Mapping[str, Any]) -> str:
    """`<name>-<kind>-<metadata.name>`: stable, from the object's identity, never a list index."""
    return f"{name}-{str(document['kind']).lower()}-{document['metadata']['name']}"


class CiliumBgpPeering(pulumi.ComponentResource):
    """Cilium BGP control plane objects on the cluster, one custom resource each."""

    def __init__(
        self, name: str, args: CiliumBgpPeeringArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(component_type(CILIUM_BGP_PEERING), name, None, opts)
        #: The custom resources (Python only).
        self.resources = [
            k8s.apiextensions.CustomResource(
                child_name(name, document),
                api_version=document["apiVersion"],
                kind=document["kind"],
                metadata=k8s.meta.v1.ObjectMetaArgs(**document["metadata"]),
                spec=document["spec"],
                opts=pulumi.ResourceOptions(parent=self, depends_on=opts.depends_on if opts else None),
            )
            for document in args["objects"]
        ]
        self.register_outputs({"objects": [child_name(name, d) for d in args["objects"]]})
