"""Which of Cilium's CRDs the hub's custom resources need, and whether each is ready: pure, no Pulumi.

Cilium's chart does not ship its CRDs: the operator registers them when it starts (cilium/cilium
`pkg/k8s/apis/cilium.io/client`, `RegisterCRDsCell`, "creates all the Cilium CRDs" unless
`skip-crd-creation`, false by default).
The release is installed without waiting (`skip_await`), so on a fresh cluster a `CiliumPodIPPool`,
`CiliumNodeConfig` or `CiliumBGP*` object may reach the API server before its kind exists. pulumi-kubernetes
retries a missing kind only about a minute (pulumi/pulumi-kubernetes `provider/pkg/await/await.go`,
`Creation`: `IsNoMatchError` retried `WithMaxRetries(5).WithBackoffFactor(2)` from 1 s,
`provider/pkg/retry/retry.go`). So the objects wait for their CRDs to be Established: the condition the API
server sets once a CRD's names are accepted and its kinds are served (Kubernetes API reference,
CustomResourceDefinition status, condition type `Established`; `kubectl wait --for=condition=established`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ..codes import Code
from . import bgp, pools
from .values import OperatorPlacement

__all__ = [
    "CRD_GROUP",
    "CrdStatus",
    "bgp_crds",
    "crd_name",
    "crd_status",
    "not_established_message",
    "pool_crds",
    "required_crds",
]

CRD_GROUP = "cilium.io"
CRD_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"

State = Literal["absent", "pending", "not-served", "established"]


def crd_name(kind: str) -> str:
    """The CRD of a Cilium kind: `<plural>.cilium.io`, Cilium's plurals being the kind in lower case plus
    `s` (`CiliumPodIPPool` -> `ciliumpodippools.cilium.io`; cilium/cilium `pkg/k8s/apis/cilium.io/v2*`,
    the `+kubebuilder:resource:...` markers)."""
    return f"{kind.lower()}s.{CRD_GROUP}"


def required_crds(objects: Iterable[tuple[str, str]]) -> dict[str, str]:
    """`{crd name: version}` for the `(apiVersion, kind)` of each object to be created, sorted by name; an
    object outside `cilium.io` needs no wait. Two objects of one kind at two versions are refused."""
    needed: dict[str, str] = {}
    for api_version, kind in objects:
        group, _, version = api_version.rpartition("/")
        if group != CRD_GROUP:
            continue
        name = crd_name(kind)
        if needed.setdefault(name, version) != version:
            raise ValueError(f"{name} is needed at two versions, {needed[name]} and {version}")
    return dict(sorted(needed.items()))


def pool_crds() -> dict[str, str]:
    """The CRDs of `CiliumSitePools`' objects (`pools.py`)."""
    return required_crds(
        ((pools.POOL_API_VERSION, pools.POOL_KIND), (pools.NODE_CONFIG_API_VERSION, pools.NODE_CONFIG_KIND))
    )


def bgp_crds(chart_version: str) -> dict[str, str]:
    """The CRDs of `CiliumBgpPeering`'s objects (`bgp.py`), at the version the chart line serves them."""
    api_version = bgp.bgp_api_version(chart_version)
    return required_crds((api_version, kind) for kind in bgp.BGP_KINDS)


@dataclass(frozen=True)
class CrdStatus:
    name: str
    state: State
    detail: str

    @property
    def ready(self) -> bool:
        return self.state == "established"


def crd_status(name: str, version: str, document: Mapping[str, Any] | None) -> CrdStatus:
    """The CRD `name` read from the API server (`None`: 404), judged for objects of `version`."""
    if document is None:
        return CrdStatus(name, "absent", "not registered yet")
    conditions = (document.get("status") or {}).get("conditions") or []
    established = next((c for c in conditions if c.get("type") == "Established"), None)
    if established is None or established.get("status") != "True":
        reason = (established or {}).get("reason") or (established or {}).get("message") or "no condition"
        return CrdStatus(name, "pending", f"registered, not Established ({reason})")
    served = [v.get("name") for v in (document.get("spec") or {}).get("versions") or [] if v.get("served")]
    if version not in served:
        return CrdStatus(
            name,
            "not-served",
            f"Established but does not serve {version} (served: {', '.join(map(str, served)) or 'none'})",
        )
    return CrdStatus(name, "established", "Established")


def not_established_message(
    statuses: Iterable[CrdStatus], placement: OperatorPlacement, waited_seconds: float
) -> str:
    """Why `pulumi up` stops: the CRDs still missing after the wait, and where to look."""
    missing = [s for s in statuses if not s.ready]
    listed = "; ".join(f"{s.name}: {s.detail}" for s in missing)
    if any(s.state == "not-served" for s in missing):
        cause = (
            "the running Cilium serves another version of these kinds than the chart version configured"
            " (eks-hybrid:cilium.chartVersion): check the operator's image"
        )
    elif placement == "cloud":
        cause = (
            "Cilium's operator registers them when it starts, on the cloud node group"
            " (eks-hybrid/capacity=cloud): check that the node group has a Ready node and that"
            " `kubectl -n kube-system get deploy cilium-operator` is available (image pull, scheduling)"
        )
    else:
        cause = (
            "Cilium's operator registers them when it starts, and it runs only on hybrid nodes: no hybrid"
            " node has joined yet, or the operator cannot be scheduled on one"
        )
    return (
        f"Cilium's CRDs not Established after {int(waited_seconds)} s: {listed}. Likely cause: {cause}."
        f" [{Code.CRDS_NOT_ESTABLISHED}]"
    )
