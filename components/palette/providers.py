"""Dynamic providers for Palette objects: cluster import, readiness, hybrid settings, profile, node pool.

Each provider is pickled *by reference* (`__reduce__` names its class, which lives at this stable module
path), so the serialized provider in state is a few hundred bytes and carries no credential. The API key
reaches the provider process through `configure` (stack config `eks-hybrid:palette`, a JSON object
`{endpoint, projectUid, apiKey}`) or the environment (`PALETTE_API_KEY`, `PALETTE_ENDPOINT`).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)
from pydantic import ValidationError

from ..config.hub import PaletteProfileConfig
from ..config.site import NodePoolConfig
from ..errors import PaletteConflictError, PaletteError, PaletteNotFoundError
from . import payloads
from ._api import PaletteApi
from ._client import PaletteClient
from ._credentials import parse_config_value, resolve_credentials
from .checks import (
    Changes,
    host_problems,
    normalise_pool,
    pool_changes,
    pool_from_live,
    profile_changes,
    profile_content_problem,
)

__all__ = [
    "CLUSTER_IMPORT",
    "CLUSTER_READINESS",
    "HYBRID_SETTINGS",
    "NODE_POOL",
    "PROFILE",
    "ClusterImportProvider",
    "ClusterReadinessProvider",
    "HybridSettingsProvider",
    "NodePoolProvider",
    "PaletteProvider",
    "ProfileProvider",
]

log = logging.getLogger(__name__)
T = TypeVar("T")


def _warn(message: str) -> None:
    log.warning(message)
    with contextlib.suppress(Exception):
        pulumi.log.warn(message)


class PaletteProvider(ResourceProvider):
    """Shared plumbing: credentials from `configure`, one API object per call, pickling by reference."""

    serialize_as_secret_always = False  # nothing secret is captured: see __reduce__
    REPLACE_KEYS: tuple[str, ...] = ("endpoint", "projectUid")

    def __init__(self) -> None:
        super().__init__()
        self._config: dict[str, Any] = {}
        # Test seams only; never pickled (see __reduce__).
        self.transport: httpx.BaseTransport | None = None
        self.client_options: dict[str, Any] = {}
        self.poll_sleep: Callable[[float], None] = time.sleep

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), ())

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def configure(self, req: ConfigureRequest) -> None:
        self._config = parse_config_value(req.config.get("palette"))

    def api(self, props: dict[str, Any]) -> PaletteApi:
        credentials = resolve_credentials(
            self._config, endpoint=props.get("endpoint") or None, project_uid=props.get("projectUid") or None
        )
        client = PaletteClient.from_credentials(credentials, transport=self.transport, **self.client_options)
        return PaletteApi(client)

    def _diff(self, changes: Changes) -> DiffResult:
        for warning in changes.warnings:
            _warn(warning)
        return DiffResult(
            changes=changes.any,
            replaces=changes.replaces,
            delete_before_replace=self.delete_before_replace,
        )

    delete_before_replace = False


def _adopt_or_create(find: Callable[[], str | None], create: Callable[[], str]) -> tuple[str, bool]:
    """Find by name first; create; if the create collides (a retried or timed-out earlier create), adopt."""
    existing = find()
    if existing:
        return existing, True
    try:
        return create(), False
    except PaletteConflictError:
        adopted = find()
        if not adopted:
            raise
        return adopted, True


def _ignore_missing(action: Callable[[], None]) -> None:
    with contextlib.suppress(PaletteNotFoundError):
        action()


class ClusterImportProvider(PaletteProvider):
    """`POST /v1/spectroclusters/aws/import` for the hub's EKS cluster; outputs the import manifest."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = [] if news.get("clusterName") else [CheckFailure("clusterName", "is required")]
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [k for k in (*self.REPLACE_KEYS, "clusterName") if olds.get(k) != news.get(k)]
        return self._diff(Changes(changed=replaces, replaces=replaces))

    def _outs(self, api: PaletteApi, uid: str, props: dict[str, Any]) -> dict[str, Any]:
        cluster = api.get_cluster(uid) or {}
        spec, status = cluster.get("spec") or {}, cluster.get("status") or {}
        return {
            **props,
            "clusterUid": uid,
            "cloudConfigUid": (spec.get("cloudConfigRef") or {}).get("uid", ""),
            "importManifest": api.import_manifest(uid),
            "state": status.get("state", ""),
        }

    def create(self, props: dict[str, Any]) -> CreateResult:
        api = self.api(props)
        name = str(props["clusterName"])
        uid, _ = _adopt_or_create(
            lambda: api.find_cluster_uid(name),
            lambda: api.import_aws_cluster(payloads.cluster_import_body(name)),
        )
        return CreateResult(uid, self._outs(api, uid, props))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        api = self.api(props)
        cluster = api.get_cluster(id_)
        if cluster is None:
            return ReadResult("", {})
        outs = {**props, **self._outs(api, id_, props)}
        outs["clusterName"] = (cluster.get("metadata") or {}).get("name", props.get("clusterName"))
        return ReadResult(id_, outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({**olds, **news})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        _ignore_missing(lambda: self.api(props).delete_cluster(id_))


class ClusterReadinessProvider(PaletteProvider):
    """Waits until the imported cluster is Running and Healthy (after its manifest is applied)."""

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [k for k in (*self.REPLACE_KEYS, "clusterUid") if olds.get(k) != news.get(k)]
        return self._diff(Changes(changed=replaces, replaces=replaces))

    @staticmethod
    def _status(api: PaletteApi, uid: str) -> tuple[str, str]:
        cluster = api.get_cluster(uid) or {}
        state = str((cluster.get("status") or {}).get("state") or "Unknown")
        overview = api.cluster_overview(uid) if cluster else {}
        health = str(((overview.get("status") or {}).get("health") or {}).get("state") or "Unknown")
        return state, health

    def create(self, props: dict[str, Any]) -> CreateResult:
        api = self.api(props)
        uid = str(props["clusterUid"])
        timeout = float(props.get("timeoutSeconds") or 1800)
        interval = float(props.get("pollSeconds") or 10)
        started = time.monotonic()
        while True:
            state, health = self._status(api, uid)
            if state == "Running" and health == "Healthy":
                return CreateResult(uid, {**props, "state": state, "health": health})
            if time.monotonic() - started >= timeout:
                raise PaletteError(
                    f"cluster {uid} is {state}/{health} after {timeout:g}s: is the import manifest applied"
                    " and the Palette agent able to reach Palette?"
                )
            self.poll_sleep(interval)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        api = self.api(props)
        if api.get_cluster(id_) is None:
            return ReadResult("", {})
        state, health = self._status(api, id_)
        return ReadResult(id_, {**props, "state": state, "health": health})

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({**olds, **news})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to delete: readiness is an observation."""


def _identity(props: dict[str, Any]) -> payloads.HybridIdentity:
    raw = props.get("identity") or {}
    return payloads.HybridIdentity(
        provider=raw.get("provider", ""),
        activation_id=raw.get("activationId"),
        activation_code=raw.get("activationCode"),
        role_arn=raw.get("roleArn"),
        trust_anchor_arn=raw.get("trustAnchorArn"),
        profile_arn=raw.get("profileArn"),
    )


class HybridSettingsProvider(PaletteProvider):
    """`PATCH .../hybridSettings {enable:true}` then `PUT .../clusterConfig/hybridConfig`."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        identity = _identity(news)
        failures = []
        if identity.provider not in ("ssm", "iamRolesAnywhere"):
            failures.append(CheckFailure("identity.provider", "must be ssm or iamRolesAnywhere"))
        else:
            failures += [CheckFailure("identity", p) for p in identity.problems()]
        for key in ("clusterUid", "cloudConfigUid", "vpcCidr"):
            if not news.get(key):
                failures.append(CheckFailure(key, "is required"))
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [
            k for k in (*self.REPLACE_KEYS, "clusterUid", "cloudConfigUid") if olds.get(k) != news.get(k)
        ]
        changed = [k for k in ("vpcCidr", "nodeCidrs", "podCidrs", "identity") if olds.get(k) != news.get(k)]
        warnings = []
        if olds.get("identity") != news.get("identity"):
            warnings.append(
                "hybrid access management (SSM / IAM Roles Anywhere) changed: it reaches existing nodes only"
                " after Palette repaves every hybrid pool"
            )
        return self._diff(Changes(changed=changed, replaces=replaces, warnings=warnings))

    def _apply(self, props: dict[str, Any]) -> dict[str, Any]:
        api = self.api(props)
        api.set_hybrid_settings(str(props["clusterUid"]), payloads.hybrid_settings_body(True))
        body = payloads.hybrid_config_body(
            str(props["vpcCidr"]), props.get("nodeCidrs") or [], props.get("podCidrs") or [], _identity(props)
        )
        api.put_hybrid_config(str(props["cloudConfigUid"]), body)
        return {**props, "enabled": True}

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(str(props["cloudConfigUid"]), self._apply(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._apply(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        config = self.api(props).get_aws_cloud_config(id_)
        if config is None:
            return ReadResult("", {})
        live = ((config.get("spec") or {}).get("clusterConfig") or {}).get("hybridConfig") or {}
        outs = dict(props)
        outs.update(
            vpcCidr=live.get("awsVpcCidr", ""),
            nodeCidrs=sorted(live.get("remoteNodeCidrs") or []),
            podCidrs=sorted(live.get("remotePodCidrs") or []),
        )
        return ReadResult(id_, outs)  # secrets are write-only: the identity stays as last applied

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        api = self.api(props)
        _ignore_missing(
            lambda: api.set_hybrid_settings(str(props["clusterUid"]), payloads.hybrid_settings_body(False))
        )


def _model(cls: type[T], raw: Any, prop: str) -> tuple[T | None, list[CheckFailure]]:
    try:
        return cls.model_validate(raw or {}), []  # type: ignore[attr-defined]
    except ValidationError as exc:
        return None, [
            CheckFailure(".".join([prop, *(str(p) for p in e["loc"])]), e["msg"]) for e in exc.errors()
        ]


class ProfileProvider(PaletteProvider):
    """The hybrid pools' cluster profile: published; a version change creates a new profile version."""

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        _, failures = _model(PaletteProfileConfig, news.get("profile"), "profile")
        problem = profile_content_problem(olds, news) if olds else None
        if problem:
            failures.append(CheckFailure("profile", problem))
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return self._diff(profile_changes(olds, news))

    def create(self, props: dict[str, Any]) -> CreateResult:
        api = self.api(props)
        profile = PaletteProfileConfig.model_validate(props["profile"])
        uid, adopted = _adopt_or_create(
            lambda: api.find_profile_uid(profile.name, profile.version),
            lambda: api.create_profile(payloads.cluster_profile_body(profile)),
        )
        if adopted and not ((api.get_profile(uid) or {}).get("status") or {}).get("isPublished"):
            api.publish_profile(uid)
        return CreateResult(uid, {**props, "profileUid": uid, "published": True})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        live = self.api(props).get_profile(id_)
        if live is None:
            return ReadResult("", {})
        outs = dict(props)
        profile = dict(outs.get("profile") or {})
        profile["name"] = (live.get("metadata") or {}).get("name", profile.get("name"))
        profile["version"] = (live.get("spec") or {}).get("version", profile.get("version"))
        outs.update(profile=profile, published=bool((live.get("status") or {}).get("isPublished")))
        return ReadResult(id_, outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({**olds, **news, "profileUid": id_})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        _ignore_missing(lambda: self.api(props).delete_profile(id_))


class NodePoolProvider(PaletteProvider):
    """One hybrid node pool, addressed by name under the hub's AWS cloud config."""

    delete_before_replace = True  # pools are addressed by name: the old one must go first

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        _, failures = _model(NodePoolConfig, news.get("pool"), "pool")
        for key in ("cloudConfigUid", "profileUid"):
            if not news.get(key) and key in news:
                failures.append(CheckFailure(key, "is required"))
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return self._diff(pool_changes(olds, news))

    def _validate_hosts(self, api: PaletteApi, pool: NodePoolConfig, own: list[str]) -> None:
        problems: list[str] = []
        for host in pool.edge_hosts:
            problems += host_problems(
                host.uid,
                api.get_edge_host(host.uid),
                pool_name=pool.name,
                architecture=pool.architecture,
                own_cluster_uids=own,
            )
        if problems:
            raise PaletteError("cannot place edge hosts:\n  - " + "\n  - ".join(problems))

    def _outs(self, api: PaletteApi, props: dict[str, Any], uid: str) -> dict[str, Any]:
        live = api.get_pool(str(props["cloudConfigUid"]), str(props["pool"]["name"])) or {}
        cluster = ((live.get("cloudConfig") or {}).get("hybridCluster") or {}).get("uid", "")
        return {**props, "poolUid": uid, "poolClusterUid": cluster}

    def create(self, props: dict[str, Any]) -> CreateResult:
        api = self.api(props)
        pool = NodePoolConfig.model_validate(props["pool"])
        config_uid = str(props["cloudConfigUid"])
        existing = api.get_pool(config_uid, pool.name)
        if existing is not None:
            return CreateResult(*self._adopt(api, props, pool, existing))
        self._validate_hosts(api, pool, [])
        try:
            uid = api.create_pool(config_uid, payloads.pool_create_body(pool, str(props["profileUid"])))
        except PaletteConflictError:
            existing = api.get_pool(config_uid, pool.name)
            if existing is None:
                raise
            return CreateResult(*self._adopt(api, props, pool, existing))
        return CreateResult(uid or pool.name, self._outs(api, props, uid or pool.name))

    def _adopt(
        self, api: PaletteApi, props: dict[str, Any], pool: NodePoolConfig, live: dict[str, Any]
    ) -> tuple[str, dict[str, Any]]:
        cluster_uid = ((live.get("cloudConfig") or {}).get("hybridCluster") or {}).get("uid", "")
        uid = str((live.get("poolConfig") or {}).get("uid") or pool.name)
        if normalise_pool(pool_from_live(live)) != normalise_pool(props["pool"]):
            self._validate_hosts(api, pool, [cluster_uid])
            api.update_pool(str(props["cloudConfigUid"]), pool.name, payloads.pool_update_body(pool))
        return uid, self._outs(api, props, uid)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        api = self.api(news)
        pool = NodePoolConfig.model_validate(news["pool"])
        cluster_uid = str(olds.get("poolClusterUid") or "")
        self._validate_hosts(api, pool, [cluster_uid] if cluster_uid else [])
        if olds.get("profileUid") != news.get("profileUid") and cluster_uid:
            api.replace_cluster_profile(
                cluster_uid, payloads.replace_profile_body(str(news["profileUid"]), str(olds["profileUid"]))
            )
        api.update_pool(str(news["cloudConfigUid"]), pool.name, payloads.pool_update_body(pool))
        return UpdateResult(self._outs(api, news, id_))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        api = self.api(props)
        live = api.get_pool(str(props["cloudConfigUid"]), str((props.get("pool") or {}).get("name")))
        if live is None:
            return ReadResult("", {})
        pool = normalise_pool(pool_from_live(live))
        cluster = ((live.get("cloudConfig") or {}).get("hybridCluster") or {}).get("uid", "")
        return ReadResult(id_, {**props, "pool": pool, "poolUid": id_, "poolClusterUid": cluster})

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        api = self.api(props)
        _ignore_missing(lambda: api.delete_pool(str(props["cloudConfigUid"]), str(props["pool"]["name"])))


# Module-level instances: what components hand to `pulumi.dynamic.Resource`.
CLUSTER_IMPORT = ClusterImportProvider()
CLUSTER_READINESS = ClusterReadinessProvider()
HYBRID_SETTINGS = HybridSettingsProvider()
PROFILE = ProfileProvider()
NODE_POOL = NodePoolProvider()
