"""The import manifest an imported cluster serves (`GET /v1/spectroclusters/{uid}/import/manifest`).

Its objects are those Spectro's docs show `kubectl apply` creating for the real one
(clusters/public-cloud/aws/eks-hybrid-nodes/import-eks-cluster-enable-hybrid-mode.md, "Import Cluster",
step 7, "Example output"), in that order: the namespace `cluster-<uid>`, the two agents' service
accounts, cluster-admin bindings, deployments and PriorityClasses, the ConfigMaps (three hash-named, as
kustomize names them), the `hubble-secrets` Secret, the fourteen `cluster.spectrocloud.com` CRDs and the
`palette-import-presetup-job` Job.

Inferred [I] (no public source shows the manifest's text): every namespaced object lives in `cluster-<uid>`
(the docs' output creates no other namespace); the CRDs' version (`v1beta1`) and open schema; the
PriorityClass values; the images (`registry.invalid`, so nothing an emulator run applies can start); the data
of the ConfigMaps and the Secret; the hash suffixes (derived from the cluster's uid).
"""

from __future__ import annotations

import hashlib
from typing import Any

import yaml

__all__ = ["CRD_PLURALS", "import_manifest"]

# The CRDs in the docs' example output, in its order.
CRD_PLURALS = (
    "awscloudconfigs",
    "azurecloudconfigs",
    "clusterprofiles",
    "customcloudconfigs",
    "edgecloudconfigs",
    "edgenativecloudconfigs",
    "gcpcloudconfigs",
    "libvirtcloudconfigs",
    "maascloudconfigs",
    "nestedcloudconfigs",
    "openstackcloudconfigs",
    "packs",
    "spectroclusters",
    "vspherecloudconfigs",
)
CRD_GROUP = "cluster.spectrocloud.com"
# kustomize's name-suffix alphabet (consonants and digits that spell no word).
_HASH_ALPHABET = "bcdfghkmt2456789"


def _suffix(uid: str, name: str) -> str:
    digest = hashlib.sha256(f"{uid}/{name}".encode()).digest()
    return "".join(_HASH_ALPHABET[b % len(_HASH_ALPHABET)] for b in digest[:10])


def _kind(plural: str) -> str:
    """`awscloudconfigs` -> `AwsCloudConfig` [I: the kinds are not in the docs' output]."""
    singular = plural[:-1]
    for word in ("cloudconfig", "cluster", "profile"):
        singular = singular.replace(word, word.capitalize()).replace("Cloudconfig", "CloudConfig")
    return singular[0].upper() + singular[1:]


def _crd(plural: str) -> dict[str, Any]:
    kind = _kind(plural)
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{CRD_GROUP}"},
        "spec": {
            "group": CRD_GROUP,
            "names": {"kind": kind, "listKind": f"{kind}List", "plural": plural, "singular": plural[:-1]},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1beta1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                    },
                }
            ],
        },
    }


def _meta(name: str, namespace: str | None = None) -> dict[str, Any]:
    return {"name": name} if namespace is None else {"name": name, "namespace": namespace}


def _config_map(name: str, namespace: str, data: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta(name, namespace), "data": data}


def _agent(name: str, account: str, namespace: str, priority_class: str) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(name, namespace),
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "serviceAccountName": account,
                    "priorityClassName": priority_class,
                    "containers": [{"name": name, "image": f"registry.invalid/palette-emulator/{name}:0"}],
                },
            },
        },
    }


def _admin_binding(name: str, account: str, namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": _meta(name),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": namespace}],
    }


def _priority_class(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "scheduling.k8s.io/v1",
        "kind": "PriorityClass",
        "metadata": _meta(name),
        "value": 1000000000,
        "globalDefault": False,
    }


def _account(name: str, namespace: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(name, namespace)}


def import_objects(uid: str, cluster_name: str) -> list[dict[str, Any]]:
    """The manifest's objects, in the order of the docs' example output."""
    ns = f"cluster-{uid}"
    info = {"clusterUid": uid, "clusterName": cluster_name}
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": _meta(ns)},
        _account("cluster-management-agent", ns),
        _admin_binding("cma-lite-cluster-admin-binding", "cluster-management-agent", ns),
        _config_map("log-parser-config", ns, {"config": ""}),
        _config_map(f"upgrade-info-{_suffix(uid, 'upgrade-info')}", ns, {"version": "emulated"}),
        _config_map(f"version-info-{_suffix(uid, 'version-info')}", ns, {"version": "emulated"}),
        _priority_class("spectro-cluster-critical"),
        _agent("cluster-management-agent-lite", "cluster-management-agent", ns, "spectro-cluster-critical"),
        _config_map("cluster-info", ns, info),
        _config_map("hubble-info", ns, {"hubbleUrl": ""}),
        {"apiVersion": "v1", "kind": "Secret", "metadata": _meta("hubble-secrets", ns), "type": "Opaque"},
        *(_crd(plural) for plural in CRD_PLURALS),
        _account("palette-manager", ns),
        _admin_binding("palette-lite-cluster-admin-binding", "palette-manager", ns),
        _config_map(f"palette-version-info-{_suffix(uid, 'palette-version')}", ns, {"version": "emulated"}),
        _priority_class("palette-spectro-cluster-critical"),
        _agent("palette-lite-controller-manager", "palette-manager", ns, "palette-spectro-cluster-critical"),
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": _meta("palette-import-presetup-job", ns),
            "spec": {
                "backoffLimit": 3,
                "template": {
                    "spec": {
                        "serviceAccountName": "palette-manager",
                        "restartPolicy": "Never",
                        "containers": [
                            {"name": "presetup", "image": "registry.invalid/palette-emulator/presetup:0"}
                        ],
                    }
                },
            },
        },
    ]


def import_manifest(uid: str, cluster_name: str) -> str:
    """The objects as one multi-document YAML text, as `kubectl apply --filename <url>` reads it."""
    return yaml.safe_dump_all(import_objects(uid, cluster_name), sort_keys=False)
