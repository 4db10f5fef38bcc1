"""A thin, read-only Kubernetes adapter over the official client: lists of raw API documents.

`--kubeconfig FILE` (and its current context), or a kubeconfig built from the hub's outputs exactly as the
program builds the Kubernetes provider's (`components.cluster.planning.kubeconfig`: a token from `aws eks
get-token`, so the AWS CLI v2 must be on PATH and the endpoint reachable from here).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from kubernetes import client as k8s
from kubernetes import config as k8s_config

from eks_hybrid.components.cluster.planning import kubeconfig

from .checks.kubernetes import ClusterState
from .intent import HYBRID_NODE_LABEL, HYBRID_NODE_VALUE, KubernetesIntent

__all__ = ["CILIUM_AGENT_SELECTOR", "KubernetesReader"]

# The cilium DaemonSet's pods (cilium/cilium helm chart, templates/cilium-agent/daemonset.yaml).
CILIUM_AGENT_SELECTOR = "k8s-app=cilium"
_PAGE = 500


class KubernetesReader:
    def __init__(self, api_client: k8s.ApiClient) -> None:
        self.api_client = api_client

    @classmethod
    def from_file(cls, path: str, context: str | None = None) -> KubernetesReader:
        return cls(k8s_config.new_client_from_config(config_file=path, context=context))

    @classmethod
    def for_cluster(cls, intent: KubernetesIntent) -> KubernetesReader:
        if not intent.endpoint or not intent.certificate_authority:
            raise ValueError(
                "the hub exports no clusterEndpoint/clusterCertificateAuthority to build a kubeconfig from:"
                " pass --kubeconfig FILE"
            )
        document = kubeconfig(
            intent.cluster_name, intent.endpoint, intent.certificate_authority, intent.region
        )
        return cls(k8s_config.new_client_from_config_dict(document))

    def close(self) -> None:
        self.api_client.close()

    def _all(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            extra: dict[str, str] = {"_continue": token} if token else {}
            response = call(*args, limit=_PAGE, _preload_content=False, **kwargs, **extra)
            page = json.loads(response.data)
            items.extend(page.get("items") or [])
            token = (page.get("metadata") or {}).get("continue")
            if not token:
                return items

    def state(self) -> ClusterState:
        core = k8s.CoreV1Api(self.api_client)
        custom = k8s.CustomObjectsApi(self.api_client)
        nodes = self._all(core.list_node, label_selector=f"{HYBRID_NODE_LABEL}={HYBRID_NODE_VALUE}")
        pods = self._all(core.list_namespaced_pod, "kube-system", label_selector=CILIUM_AGENT_SELECTOR)
        try:
            cilium_nodes = self._all(custom.list_cluster_custom_object, "cilium.io", "v2", "ciliumnodes")
        except k8s.ApiException as error:
            if error.status != 404:  # no CiliumNode CRD: Cilium is not installed, every node says so
                raise
            cilium_nodes = []
        return ClusterState(nodes=nodes, cilium_pods=pods, cilium_nodes=cilium_nodes)
