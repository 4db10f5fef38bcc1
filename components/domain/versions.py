"""Kubernetes and Cilium versions for hybrid nodes, kept as data with their dates and sources: pure.

Hybrid nodes support exactly the Kubernetes versions EKS supports, standard and extended support alike
("What Kubernetes versions are supported for hybrid nodes?", EKS user guide `kubernetes-versions.adoc`).
EKS creates clusters on any version in standard or extended support; on the end-of-extended-support date
it stops creating them and upgrades existing control planes. So a version is usable until its end of
extended support, worth a warning every day it is in extended support (billed), and as either end of
support comes near.

The same row decides what nodeadm installs on the edge hosts (`nodeadm install <version>`, the version
EdgeForge bakes into the provider image as K8S_VERSION) and which Cilium lines AWS supports on them.

Update this table when AWS publishes a new version: the dates come from the "Amazon EKS Kubernetes release
calendar" (https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html). `confirmed` says
whether the row was read from AWS's own calendar; rows that were not carry the source they were read from.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from ..codes import Code
from ..errors import Reason, shown

EKS_CALENDAR = "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html"
CALENDAR_CHECKED = date(2026, 11, 29)
WARN_WITHIN_DAYS = 60

# Cilium lines AWS supports for hybrid nodes "for every Kubernetes version supported in Amazon EKS"
# (EKS user guide `hybrid-nodes-cni.adoc`, "Version compatibility"; awsdocs/amazon-eks-user-guide#1163).
AWS_SUPPORTED_CILIUM_LINES = ("1.17", "1.18")
CILIUM_SOURCE = "https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-cni.html"


@dataclass(frozen=True)
class KubernetesVersion:
    """One row of the EKS release calendar (dates in UTC, as AWS publishes them)."""

    version: str
    eks_release: date
    end_of_standard_support: date
    end_of_extended_support: date
    confirmed: bool
    source: str
    cilium_lines: tuple[str, ...] = AWS_SUPPORTED_CILIUM_LINES

    def created_by_eks(self, today: date) -> bool:
        """EKS creates clusters on this version until its end of extended support."""
        return self.eks_release <= today < self.end_of_extended_support

    def support(self, today: date) -> str:
        if today < self.end_of_standard_support:
            return "standard"
        if today < self.end_of_extended_support:
            return "extended"
        return "ended"


KUBERNETES_VERSIONS: tuple[KubernetesVersion, ...] = (
    KubernetesVersion("1.29", date(2024, 1, 23), date(2025, 3, 23), date(2026, 3, 23), True, EKS_CALENDAR),
    KubernetesVersion("1.30", date(2024, 5, 23), date(2025, 7, 23), date(2026, 7, 23), True, EKS_CALENDAR),
    KubernetesVersion("1.31", date(2024, 9, 26), date(2025, 11, 26), date(2026, 11, 26), True, EKS_CALENDAR),
    KubernetesVersion("1.32", date(2025, 1, 23), date(2026, 3, 23), date(2027, 3, 23), True, EKS_CALENDAR),
    KubernetesVersion("1.33", date(2025, 5, 29), date(2026, 7, 29), date(2027, 7, 29), True, EKS_CALENDAR),
    KubernetesVersion("1.34", date(2025, 10, 2), date(2026, 12, 2), date(2027, 12, 2), True, EKS_CALENDAR),
    # Not read from AWS's calendar itself: the dates agree in endoflife.date/amazon-eks and AWS's
    # aws-samples "eks-operation-review" calendar (verified 2026-04-24); 14 + 12 months after release.
    KubernetesVersion(
        "1.35",
        date(2026, 1, 27),
        date(2027, 3, 27),
        date(2028, 3, 27),
        False,
        "endoflife.date/amazon-eks; aws-samples.github.io/sample-apex-skills (eks-operation-review)",
    ),
    # Available in EKS per AWS's "Kubernetes versions standard support" page (1.36 section). The release
    # date is from a third-party write-up; the two ends follow AWS's 14 + 12 month rule. Inferred.
    KubernetesVersion(
        "1.36",
        date(2026, 6, 2),
        date(2027, 8, 2),
        date(2028, 8, 2),
        False,
        "EKS user guide kubernetes-versions-standard (1.36 available); dates inferred (14+12 months)",
    ),
)

_BY_VERSION = {row.version: row for row in KUBERNETES_VERSIONS}


def today_utc() -> date:
    return datetime.now(UTC).date()


def kubernetes_version(version: str) -> KubernetesVersion | None:
    return _BY_VERSION.get(version)


def creatable_versions(today: date) -> list[str]:
    return [row.version for row in KUBERNETES_VERSIONS if row.created_by_eks(today)]


def standard_versions(today: date) -> list[str]:
    return [
        row.version
        for row in KUBERNETES_VERSIONS
        if row.created_by_eks(today) and row.support(today) == "standard"
    ]


def version_problem(version: str, today: date) -> Reason | None:
    """Why EKS would not create (or keep) a cluster on `version` on `today`; None when it would."""
    row = kubernetes_version(version)
    usable = ", ".join(creatable_versions(today)) or "none known"
    if row is None:
        return Reason(
            Code.KUBERNETES_VERSION_UNKNOWN,
            f"Kubernetes {shown(version)} is not in eks-hybrid's EKS version table (checked"
            f" {CALENDAR_CHECKED}): use one EKS supports today ({usable}); a newer version needs a row in"
            " components/domain/versions.py from AWS's release calendar",
        )
    if today < row.eks_release:
        return Reason(
            Code.KUBERNETES_VERSION_UNRELEASED,
            f"Kubernetes {version} is not released on EKS until {row.eks_release}: use one of {usable}",
        )
    if today >= row.end_of_extended_support:
        return Reason(
            Code.KUBERNETES_VERSION_RETIRED,
            f"Kubernetes {version} left EKS extended support on {row.end_of_extended_support}: EKS no longer"
            f" creates clusters on it and upgrades existing ones; use one of {usable}",
        )
    return None


# AWS, "Understand the Kubernetes version lifecycle on EKS" (EKS_CALENDAR): past the end of standard support
# a version "enters extended support for the next 12 months", which "allows you to stay at a specific
# Kubernetes version for longer at an additional cost per cluster hour" (Amazon EKS pricing,
# https://aws.amazon.com/eks/pricing/, lists the extended support rate per cluster hour). eks-hybrid sets no
# upgrade policy, so the cluster keeps EKS's API default, `EXTENDED` (UpgradePolicyRequest, EKS API
# reference): a cluster on such a version is billed at that rate rather than upgraded.
EXTENDED_SUPPORT_COST = "billed per cluster hour at EKS's extended support rate"


def version_warnings(version: str, today: date, within_days: int = WARN_WITHIN_DAYS) -> list[str]:
    """Warnings for a usable version: in extended support (every day of it), and whose standard or
    extended support ends within `within_days`.

    A warning never changes what is planned: it is printed, not applied.
    """
    row = kubernetes_version(version)
    if row is None or version_problem(version, today) is not None:
        return []
    horizon = today + timedelta(days=within_days)
    warnings: list[str] = []
    if row.support(today) == "extended":
        warnings.append(
            f"Kubernetes {version} is past the end of EKS standard support ({row.end_of_standard_support}):"
            f" the cluster is in extended support, {EXTENDED_SUPPORT_COST}, until"
            f" {row.end_of_extended_support}; plan the upgrade of the cluster and of the hybrid nodes"
            " (nodeadm upgrade), one minor version at a time, to a version in standard support"
            f" ({', '.join(standard_versions(today)) or 'none known'})"
        )
    for label, end in (
        ("standard", row.end_of_standard_support),
        ("extended", row.end_of_extended_support),
    ):
        if today < end <= horizon:
            days = (end - today).days
            after = (
                f"extended support ({EXTENDED_SUPPORT_COST}) starts"
                if label == "standard"
                else "EKS stops creating it and upgrades existing control planes"
            )
            warnings.append(
                f"Kubernetes {version} reaches the end of EKS {label} support on {end} (in {days} days):"
                f" {after}; plan the upgrade of the cluster and of the hybrid nodes (nodeadm upgrade)"
            )
    return warnings


# --- hybrid nodes' Kubernetes version: the skew policy and the nodeadm packs -----------------------------

HYBRID_UPGRADE_GUIDE = "https://docs.aws.amazon.com/eks/latest/userguide/hybrid-nodes-upgrade.html"
# AWS, "Upgrade hybrid nodes for your cluster" (HYBRID_UPGRADE_GUIDE): hybrid nodes "cannot be on a newer
# version than the Amazon EKS control plane, and hybrid nodes may be up to three Kubernetes minor versions
# older than the Amazon EKS control plane minor version".
MAX_NODE_MINORS_BEHIND = 3


def _minor(version: str) -> tuple[int, int] | None:
    parts = version.split(".")
    if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    return int(parts[0]), int(parts[1])


def node_skew_problem(cluster: str, node: str) -> str | None:
    """Why hybrid nodes on Kubernetes `node` (x.y or x.y.z) cannot join a `cluster` (x.y) control plane;
    None when AWS's skew policy allows it (the node's minor in [cluster - 3, cluster]). Versions that do
    not parse are the per-key checks' to report."""
    return _skew_problem(cluster, node, "hybrid nodes", MAX_NODE_MINORS_BEHIND, HYBRID_UPGRADE_GUIDE)


def _skew_problem(cluster: str, node: str, nodes: str, most: int, source: str) -> str | None:
    ours, theirs = _minor(cluster), _minor(node)
    if ours is None or theirs is None:
        return None
    if ours[0] != theirs[0]:
        return f"{node} is not a Kubernetes {ours[0]}.x release, as the cluster's {cluster} is ({source})"
    behind = ours[1] - theirs[1]
    if behind < 0:
        return (
            f"{node} is newer than the cluster's Kubernetes {cluster}: {nodes} cannot be on a newer"
            f" version than the EKS control plane ({source})"
        )
    if behind > most:
        oldest = f"{ours[0]}.{ours[1] - most}"
        return (
            f"{node} is {behind} minor versions behind the cluster's Kubernetes {cluster}: {nodes} may"
            f" be at most {most} behind the EKS control plane ({oldest} to {cluster}; {source})"
        )
    return None


# --- the control plane's own upgrades and the cloud (managed) node group's skew --------------------------

EKS_UPDATE_CLUSTER_GUIDE = "https://docs.aws.amazon.com/eks/latest/userguide/update-cluster.html"
KUBERNETES_VERSION_OUTPUT = "kubernetesVersion"
"""The hub output holding the control plane's Kubernetes version (`HubOutput.KUBERNETES_VERSION`): here so
the policy pack, which imports only standard-library modules, reads the deployed version by it."""
# AWS, "Update existing cluster to new Kubernetes version" (EKS_UPDATE_CLUSTER_GUIDE), "Detailed
# considerations": "Because Amazon EKS runs a highly available control plane, you can update only one minor
# version at a time"; and "Downgrade the Kubernetes version for an Amazon EKS cluster": "You cannot
# downgrade the Kubernetes of an Amazon EKS cluster".
CONTROL_PLANE_RULE = "EKS updates one minor version at a time and cannot downgrade"
# Same page and section: "Starting from Kubernetes version 1.28, kubelet may be up to three minor versions
# older than kube-apiserver"; "If the kubelet on your managed and Fargate nodes is on Kubernetes version
# 1.25 or newer, you can update your cluster up to three versions ahead without updating the kubelet
# version". Step 4 then updates managed node groups "to the same Kubernetes minor version as your updated
# cluster" ("Update a managed node group for your cluster", update-managed-node-group.html).
MAX_NODE_GROUP_MINORS_BEHIND = 3


def node_group_skew_problem(cluster: str, node_group: str) -> str | None:
    """Why the cloud (EKS managed) node group cannot run Kubernetes `node_group` (x.y) under a `cluster`
    (x.y) control plane; None when EKS allows it (the node group's minor in [cluster - 3, cluster])."""
    return _skew_problem(
        cluster, node_group, "managed node groups", MAX_NODE_GROUP_MINORS_BEHIND, EKS_UPDATE_CLUSTER_GUIDE
    )


def control_plane_change_problem(deployed: str | None, requested: str) -> Reason | None:
    """Why EKS cannot take a control plane on Kubernetes `deployed` to `requested` (both x.y) in one
    update; None when it can: the same minor, one minor up, or nothing deployed yet (`deployed` None or
    empty: a first deploy has no constraint). Versions that do not parse are the per-key checks' to report.

    The one home of the rule: the stack-file check (`components/composition/hub.py`), `eks-hybrid diff`'s
    dangers and the policy pack call it."""
    if not deployed:
        return None
    before, after = _minor(deployed), _minor(requested)
    if before is None or after is None or before == after:
        return None
    if after < before:
        return Reason(
            Code.CONTROL_PLANE_DOWNGRADE,
            f"the hub's EKS control plane runs Kubernetes {deployed} and {requested} is older: EKS cannot"
            f' downgrade a cluster ({EKS_UPDATE_CLUSTER_GUIDE}, "Downgrade the Kubernetes version");'
            f" set {deployed} back (or create a new cluster on {requested} and move the workloads)",
        )
    if after[0] != before[0] or after[1] - before[1] > 1:
        step = f"{before[0]}.{before[1] + 1}"
        return Reason(
            Code.CONTROL_PLANE_MINOR_SKIP,
            f"the hub's EKS control plane runs Kubernetes {deployed}, and {requested} is more than one minor"
            f" version later: EKS updates one minor version at a time ({EKS_UPDATE_CLUSTER_GUIDE},"
            f' "Detailed considerations"); set {step}, run `pulumi up`, then go on from there',
        )
    return None


# The Nodeadm pack versions (the hybrid pools' Kubernetes layer, `edge-nodeadm`) and the nodeadm
# K8S_VERSIONs CanvOS builds, with where each was read. A tenant's registry is the judge at create (the
# profile's packs are resolved live); this table says what public sources list, for the examples, for
# `render`'s CanvOS warning and for the emulator's catalog.
SPECTRO_HYBRID_POOL_DOCS = (
    "Spectro's EKS Hybrid Nodes docs, `.arg` K8S_VERSION 'supported versions' (spectrocloud/librarium"
    " clusters/public-cloud/aws/eks-hybrid-nodes/create-hybrid-node-pools.md at 056c126)"
)
CANVOS_K8S_VERSIONS = "spectrocloud/CanvOS k8s_version.json, key nodeadm, at fb36e29 (2026-08-21)"


@dataclass(frozen=True)
class NodeadmPack:
    """One nodeadm Kubernetes version and the public sources that list it."""

    version: str
    sources: tuple[str, ...]

    @property
    def canvos(self) -> bool:
        return CANVOS_K8S_VERSIONS in self.sources


NODEADM_PACKS: tuple[NodeadmPack, ...] = (
    NodeadmPack("1.28.0", (SPECTRO_HYBRID_POOL_DOCS,)),
    NodeadmPack("1.29.0", (SPECTRO_HYBRID_POOL_DOCS, CANVOS_K8S_VERSIONS)),
    NodeadmPack("1.30.0", (SPECTRO_HYBRID_POOL_DOCS, CANVOS_K8S_VERSIONS)),
    NodeadmPack("1.31.0", (SPECTRO_HYBRID_POOL_DOCS, CANVOS_K8S_VERSIONS)),
    NodeadmPack("1.32.0", (CANVOS_K8S_VERSIONS,)),
)

# What a CanvOS checkout as last read can build (`render` warns on any other K8S_VERSION).
CANVOS_NODEADM_VERSIONS: tuple[str, ...] = tuple(p.version for p in NODEADM_PACKS if p.canvos)


def cilium_line(chart_version: str) -> str:
    """`1.18.5-0` -> `1.18`."""
    major, minor, *_ = chart_version.split(".")
    return f"{major}.{minor}"


def cilium_problem(chart_version: str, kubernetes: str | None) -> Reason | None:
    """Why AWS does not support this Cilium chart on hybrid nodes of `kubernetes`; None when it does."""
    row = kubernetes_version(kubernetes) if kubernetes else None
    lines = row.cilium_lines if row else AWS_SUPPORTED_CILIUM_LINES
    line = cilium_line(chart_version)
    if line in lines:
        return None
    return Reason(
        Code.CILIUM_UNSUPPORTED,
        f"Cilium {shown(chart_version)} is not a line AWS supports for hybrid nodes"
        f"{f' on Kubernetes {kubernetes}' if row else ''} ({', '.join(f'{x}.x' for x in lines)};"
        f" {CILIUM_SOURCE}), and eks-hybrid pins datapath values only for those lines",
    )
