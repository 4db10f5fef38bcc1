"""`CiliumCrdsEstablished`: a dynamic resource that waits, during `pulumi up`, until the CRDs of the Cilium
objects that depend on it are Established (`crds.py` says why). It waits on nothing else: not the agent
DaemonSet, which has no pods before the first hybrid node joins.

It reads `GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/<name>` with the official Kubernetes
client and the hub's kubeconfig (its exec plugin, `aws eks get-token`, gives the token; the same identity
the Kubernetes provider uses). The kubeconfig is kept secret in the inputs and the state and never printed.
The provider is pickled by reference (`__reduce__`), so the state carries no credential.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

import pulumi
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config
from kubernetes.client.exceptions import ApiException
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pulumi.dynamic import Resource as DynamicResource

from .._tokens import ResourceKind
from .crds import CrdStatus, crd_status, not_established_message
from .values import OperatorPlacement

__all__ = [
    "DEFAULT_POLL_SECONDS",
    "DEFAULT_TIMEOUT_SECONDS",
    "CiliumCrdsEstablished",
    "CrdsEstablishedProvider",
    "CrdsNotEstablishedError",
]

log = logging.getLogger(__name__)

# The operator's image is pulled from ECR Public and scheduled on a node that already exists (the hub's
# Cilium depends on the cloud node group): minutes at most. Ten, then a clear error (inferred bound).
DEFAULT_TIMEOUT_SECONDS = 600.0
DEFAULT_POLL_SECONDS = 5.0
_PLACEMENTS = ("cloud", "hybrid")


class CrdsNotEstablishedError(Exception):
    """The CRDs were not Established in time (`Code.CRDS_NOT_ESTABLISHED` in the message)."""


def _info(message: str) -> None:
    log.info(message)
    with contextlib.suppress(Exception):
        pulumi.log.info(message)


class CrdsEstablishedProvider(ResourceProvider):
    """Waits for `crds` (`{name: version}`) to be Established and to serve their version."""

    KIND = ResourceKind("cilium:CrdsEstablished", "Cilium CRDs established wait")
    serialize_as_secret_always = False  # nothing secret is captured: see __reduce__

    def __init__(self) -> None:
        super().__init__()
        # Test seams only; never pickled (see __reduce__).
        self.sleep: Callable[[float], None] = time.sleep
        self.clock: Callable[[], float] = time.monotonic
        self.report: Callable[[str], None] = _info

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), ())

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = []
        crds = news.get("crds")
        if not isinstance(crds, Mapping) or not crds:
            failures.append(CheckFailure("crds", "give at least one CRD name with its version"))
        if news.get("operatorPlacement") not in _PLACEMENTS:
            failures.append(CheckFailure("operatorPlacement", f"must be one of {', '.join(_PLACEMENTS)}"))
        for key in ("timeoutSeconds", "pollSeconds"):
            value = news.get(key)
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if value is not None and (not number or value <= 0):
                failures.append(CheckFailure(key, "must be a positive number of seconds"))
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # A new kubeconfig (a new token command) is no reason to wait again; new CRDs are.
        changed = [key for key in ("crds", "operatorPlacement") if olds.get(key) != news.get(key)]
        return DiffResult(changes=bool(changed), replaces=[], stables=[], delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_="cilium-crds", outs={**props, "established": self.wait(props)})

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs={**news, "established": self.wait(news)})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=props)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None

    def api_client(self, kubeconfig: str) -> k8s_client.ApiClient:
        # A token command that fails leaves the client without a token (the client logs it): the API
        # server then answers 401, reported below.
        return k8s_config.new_client_from_config_dict(json.loads(kubeconfig))

    def wait(self, props: dict[str, Any]) -> list[str]:
        """Poll until every CRD is Established; raise `CrdsNotEstablishedError` at the timeout. 401 and 403
        fail at once (waiting cannot fix an identity); other errors (the endpoint not reachable yet) are
        retried and named if the wait ends."""
        crds: dict[str, str] = dict(props["crds"])
        placement: OperatorPlacement = props["operatorPlacement"]
        timeout = float(props.get("timeoutSeconds") or DEFAULT_TIMEOUT_SECONDS)
        interval = float(props.get("pollSeconds") or DEFAULT_POLL_SECONDS)
        api = self.api_client(str(props["kubeconfig"]))
        try:
            extensions = k8s_client.ApiextensionsV1Api(api)
            start = self.clock()
            last = ""
            while True:
                statuses, error = self._statuses(extensions, crds)
                if error is None and all(s.ready for s in statuses):
                    self.report(f"Cilium's CRDs Established: {', '.join(crds)}")
                    return sorted(crds)
                waited = self.clock() - start
                if waited >= timeout:
                    message = not_established_message(statuses, placement, waited)
                    if error is not None:
                        message += f" Last error reading them: {error}"
                    raise CrdsNotEstablishedError(message)
                state = error or "; ".join(f"{s.name}: {s.detail}" for s in statuses if not s.ready)
                if state != last:  # each change once, not every poll
                    self.report(f"waiting for Cilium's CRDs ({int(waited)} s of {int(timeout)} s): {state}")
                    last = state
                self.sleep(interval)
        finally:
            api.close()

    @staticmethod
    def _statuses(
        extensions: k8s_client.ApiextensionsV1Api, crds: Mapping[str, str]
    ) -> tuple[list[CrdStatus], str | None]:
        statuses: list[CrdStatus] = []
        for name, version in crds.items():
            try:
                response = extensions.read_custom_resource_definition(name, _preload_content=False)
                document = json.loads(response.data)
            except ApiException as exc:
                if exc.status == 404:
                    document = None
                elif exc.status in (401, 403):
                    raise CrdsNotEstablishedError(
                        f"reading CRD {name} was refused ({exc.status} {exc.reason}): the hub's kubeconfig"
                        " gets its token from `aws eks get-token` (the AWS CLI v2 on PATH, with"
                        " credentials), and that identity must be allowed to get"
                        " customresourcedefinitions.apiextensions.k8s.io"
                    ) from exc
                else:
                    return statuses, f"{exc.status} {exc.reason}"
            except Exception as exc:  # an endpoint not reachable yet: retried until the timeout
                return statuses, f"{type(exc).__name__}: {exc}"
            statuses.append(crd_status(name, version, document))
        return statuses, None


PROVIDER = CrdsEstablishedProvider()


class CiliumCrdsEstablished(DynamicResource):
    """Created once Cilium's CRDs `crds` are Established (`{name: version}`): give the custom resources that
    are instances of them `depends_on=[this]`. `kubeconfig` (JSON) is kept secret."""

    established: pulumi.Output[list[str]]

    def __init__(
        self,
        name: str,
        *,
        kubeconfig: pulumi.Input[str],
        crds: Mapping[str, str],
        operator_placement: OperatorPlacement,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        inputs = {
            "kubeconfig": pulumi.Output.secret(kubeconfig),
            "crds": dict(crds),
            "operatorPlacement": operator_placement,
            "timeoutSeconds": timeout_seconds,
            "established": None,
        }
        secret = pulumi.ResourceOptions(additional_secret_outputs=["kubeconfig"])
        super().__init__(PROVIDER, name, inputs, pulumi.ResourceOptions.merge(opts, secret))
