"""Dynamic providers for Palette objects: cluster import, readiness, hybrid settings, profile, node pool.

Each provider is pickled *by reference* (`__reduce__` names its class, which lives at this stable module
path), so the serialized provider in state is a few hundred bytes and carries no credential. The API key
reaches the provider process through `configure` (stack config `eks-hybrid:palette`, a JSON object
`{endpoint, projectUid, apiKey}`) or the environment (`PALETTE_API_KEY`, `PALETTE_ENDPOINT`).

Absence versus failure: a read drops a resource from state, and a delete counts as done, only on a 404
after the client has checked the key and the project (`PaletteClient.check_project`). A 401, a 403 or an
unknown project raises, naming which it was.
"""

from __future__ import annotations

import contextlib
import logging
import os
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

from .._tokens import ResourceKind
from ..codes import Code
from ..domain.labels import SITE_LABEL
from ..domain.palette import NodePoolConfig, PaletteProfileConfig, version_key
from ..errors import (
    PaletteConflictError,
    PaletteError,
    PaletteNotFoundError,
    PaletteStatusError,
    PaletteTransportError,
)
from . import payloads
from ._api import PaletteApi
from ._client import PaletteClient
from ._credentials import ENV_API_KEY, parse_config_value, resolve_credentials
from ._errors import RETRYABLE_STATUSES
from ._waits import Observation, Waiter, pulumi_info
from .decisions import (
    TERMINAL_BAD_STATES,
    Changes,
    adoption_problem,
    attached_profile_uid,
    condition_message,
    host_problems,
    leaving_hosts,
    machines_for_hosts,
    normalise_pool,
    pool_changes,
    pool_from_live,
    pool_members,
    pool_owner_problem,
    profile_changes,
    profile_content_problem,
    profile_users,
    published_layers_problem,
)
from .packs import (
    PackResolutionError,
    ResolvedPack,
    layer_specs,
    pack_type,
    pick_registry,
    pick_version,
)
from .progress import pool_entry, pool_progress, repave_progress

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

PROVIDER_KEY = "__provider"  # the pickled provider in each dynamic resource's state (pulumi.dynamic)
DELETE_TIMEOUT = 1200.0  # the Terraform provider's force-delete delay default: 20 minutes
POOL_TIMEOUT = 1800.0  # Spectro's docs: a hybrid pool "will take up to 15 minutes"
APPLY_TIMEOUT = 1800.0
# Spectro's docs (cluster profile updates, "When to Manually Repave"): a repave "can take up to one hour";
# the profile download before it and a margin make 90 minutes.
REPAVE_TIMEOUT = 5400.0
POLL_SECONDS = 10.0  # the Terraform provider's minimum interval between polls


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
        self.clock: Callable[[], float] = time.monotonic
        self.report: Callable[[str], None] = pulumi_info

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), ())

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def configure(self, req: ConfigureRequest) -> None:
        self._config = parse_config_value(req.config.get("palette"))

    def api(self, props: dict[str, Any]) -> PaletteApi:
        credentials = resolve_credentials(
            self._config,
            endpoint=props.get("endpoint") or None,
            project_uid=props.get("projectUid") or None,
            api_key=props.get("apiKey") or None,
        )
        client = PaletteClient.from_credentials(credentials, transport=self.transport, **self.client_options)
        return PaletteApi(client)

    def state_api(self, props: dict[str, Any]) -> PaletteApi:
        """The API for a read (refresh) or a delete (destroy), which get the inputs stored in state: a key
        configured now (`eks-hybrid:palette.apiKey` or PALETTE_API_KEY) beats the `apiKey` stored there,
        which a rotation may have revoked since; with none configured, the stored key is the only one."""
        configured = self._config.get("apiKey")
        fresh = (isinstance(configured, str) and configured) or os.environ.get(ENV_API_KEY)
        return self.api({k: v for k, v in props.items() if k != "apiKey"} if fresh else props)

    def waiter(self, props: dict[str, Any], timeout_key: str, default_timeout: float) -> Waiter:
        timeout = props.get(timeout_key)
        interval = props.get("pollSeconds")
        return Waiter(
            timeout=float(default_timeout if timeout is None else timeout),
            interval=float(POLL_SECONDS if interval is None else interval),
            sleep=self.poll_sleep,
            clock=self.clock,
            report=self.report,
        )

    def _diff(self, changes: Changes, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        for warning in changes.warnings:
            _warn(warning)
        # A new API key, or this provider's code at a new module path (0.2.0 moved it from
        # `components.palette.providers`), is an update that only stores them: later reads and deletes
        # use what the state holds (the key only when none is configured: `state_api`).
        stored = olds.get("apiKey") != news.get("apiKey") or (
            PROVIDER_KEY in olds and PROVIDER_KEY in news and olds[PROVIDER_KEY] != news[PROVIDER_KEY]
        )
        return DiffResult(
            changes=changes.any or bool(stored),
            replaces=changes.replaces,
            delete_before_replace=self.delete_before_replace,
        )

    delete_before_replace = False


def _adopt_or_create(find: Callable[[], str | None], create: Callable[[], str]) -> tuple[str, bool]:
    """Find by name first; create; if the create collides (a retried or timed-out earlier create), or its
    answer is lost (the cluster import is not sent twice: `PaletteApi.import_aws_cluster`), adopt what it
    made. With nothing to adopt the error stands: the next run finds the object if Palette made it."""
    existing = find()
    if existing:
        return existing, True
    try:
        return create(), False
    except PaletteError as exc:
        maybe_made = isinstance(exc, PaletteConflictError | PaletteTransportError) or (
            isinstance(exc, PaletteStatusError) and exc.status in RETRYABLE_STATUSES
        )
        if not maybe_made:
            raise
        adopted = find()
        if not adopted:
            raise
        return adopted, True


def _ignore_missing(action: Callable[[], None]) -> None:
    """Run `action`; a 404 means already gone. Only NotFound is swallowed: 401/403 and scope errors raise."""
    with contextlib.suppress(PaletteNotFoundError):
        action()


def _cluster_state(cluster: dict[str, Any] | None) -> tuple[str, str]:
    """(state, Palette's condition message) of a `v1SpectroCluster`; a missing cluster is `Deleted`."""
    if cluster is None:
        return "Deleted", "the cluster is gone from Palette"
    status = cluster.get("status") or {}
    return str(status.get("state") or "Unknown"), condition_message(status)


# --- the hub's cluster: import, readiness, hybrid settings -----------------------------------------------


class ClusterImportProvider(PaletteProvider):
    """`POST /v1/spectroclusters/aws/import` for the hub's EKS cluster; outputs the import manifest.

    A cluster of the same name found by the SDK's search (`isDeleted=false`) is adopted, unless it is still
    `Deleting`: then the create waits for that delete to finish (bounded) and imports anew, so a destroy
    followed by an `up` never adopts a cluster on its way out. Delete waits until Palette no longer has it.
    """

    KIND = ResourceKind("palette:ClusterImport", "Palette cluster import")

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = [] if news.get("clusterName") else [CheckFailure("clusterName", "is required")]
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [k for k in (*self.REPLACE_KEYS, "clusterName") if olds.get(k) != news.get(k)]
        return self._diff(Changes(changed=replaces, replaces=replaces), olds, news)

    def _outs(
        self, api: PaletteApi, uid: str, props: dict[str, Any], *, keep_manifest: bool
    ) -> dict[str, Any]:
        """The outputs; the import manifest is fetched at create only (`keep_manifest` keeps the one in
        state, and fetches it only when the state has none): the hub applies it once, and a refresh never
        rolls the agent's objects to what Palette serves later. Removing them is Palette's delete's work
        (see `PaletteHub`)."""
        cluster = api.get_cluster(uid) or {}
        spec, status = cluster.get("spec") or {}, cluster.get("status") or {}
        manifest = props.get("importManifest") if keep_manifest else None
        return {
            **props,
            "clusterUid": uid,
            "cloudConfigUid": (spec.get("cloudConfigRef") or {}).get("uid", ""),
            "importManifest": manifest or api.import_manifest(uid),
            "state": status.get("state", ""),
        }

    def _find_live(self, api: PaletteApi, name: str, props: dict[str, Any]) -> str | None:
        uid = api.find_cluster_uid(name)
        if uid is None:
            return None
        cluster = api.get_cluster(uid)
        state, _ = _cluster_state(cluster)
        if cluster is None:
            return None
        if state != "Deleting":
            problem = adoption_problem(cluster, name)
            if problem:
                raise PaletteError(problem, code=Code.PALETTE_CLUSTER_NOT_IMPORTED)
            return uid
        self._wait_gone(api, uid, name, props)
        return None

    def _wait_gone(self, api: PaletteApi, uid: str, name: str, props: dict[str, Any]) -> None:
        def observe() -> Observation:
            state, message = _cluster_state(api.get_cluster(uid))
            if state == "Deleted":
                return Observation("deleted", done=True)
            if state in ("Error", "Failed"):
                return Observation(state, failure=message or "Palette reports no reason")
            return Observation(state)

        self.waiter(props, "deleteTimeoutSeconds", DELETE_TIMEOUT).until(
            f"the deletion of Palette cluster {name!r} ({uid})",
            observe,
            hint="Palette has not finished deleting it; look at the cluster's events in Palette, and consider"
            f" a force delete (DELETE /v1/spectroclusters/{uid}?forceDelete=true) before running again",
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        api = self.api(props)
        name = str(props["clusterName"])
        uid, _ = _adopt_or_create(
            lambda: self._find_live(api, name, props),
            lambda: api.import_aws_cluster(payloads.cluster_import_body(name)),
        )
        try:
            outs = self._outs(api, uid, props, keep_manifest=False)
        except PaletteError as exc:  # the import happened: say so, and that the next run adopts it
            exc.add_context(
                f"; the cluster is imported in Palette as {uid} and the next `pulumi up` adopts it"
            )
            raise
        return CreateResult(uid, outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        api = self.state_api(props)
        cluster = api.get_cluster(id_)
        if cluster is None:
            return ReadResult("", {})
        outs = {**props, **self._outs(api, id_, props, keep_manifest=True)}
        outs["clusterName"] = (cluster.get("metadata") or {}).get("name", props.get("clusterName"))
        return ReadResult(id_, outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({**olds, **news})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        api = self.state_api(props)
        if api.get_cluster(id_) is None:
            return
        _ignore_missing(lambda: api.delete_cluster(id_))
        self._wait_gone(api, id_, str(props.get("clusterName") or id_), props)


class ClusterReadinessProvider(PaletteProvider):
    """Waits until the imported cluster is Running and Healthy (after its manifest is applied); stops at
    once, with Palette's own condition message, if it reaches Error, Failed or Deleted."""

    KIND = ResourceKind("palette:ClusterReadiness", "Palette cluster readiness wait")

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces = [k for k in (*self.REPLACE_KEYS, "clusterUid") if olds.get(k) != news.get(k)]
        return self._diff(Changes(changed=replaces, replaces=replaces), olds, news)

    @staticmethod
    def _status(api: PaletteApi, uid: str) -> tuple[str, str, str]:
        cluster = api.get_cluster(uid)
        state, message = _cluster_state(cluster)
        health = "Unknown"
        if cluster is not None:
            overview = api.cluster_overview(uid).get("status") or {}
            health = str((overview.get("health") or {}).get("state") or "Unknown")
            message = message or condition_message(overview)
        return state, health, message

    def create(self, props: dict[str, Any]) -> CreateResult:
        api = self.api(props)
        uid = str(props["clusterUid"])
        seen: dict[str, str] = {}

        def observe() -> Observation:
            state, health, message = self._status(api, uid)
            seen.update(state=state, health=health)
            if state in TERMINAL_BAD_STATES:
                return Observation(f"{state}/{health}", failure=message or "Palette reports no reason")
            return Observation(f"{state}/{health}", done=(state, health) == ("Running", "Healthy"))

        self.waiter(props, "timeoutSeconds", 1800.0).until(
            f"Palette cluster {uid}",
            observe,
            hint="is the import manifest applied and the Palette agent able to reach Palette?",
        )
        return CreateResult(uid, {**props, **seen})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        api = self.state_api(props)
        if api.get_cluster(id_) is None:
            return ReadResult("", {})
        state, health, _ = self._status(api, id_)
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
        root_ca_certificate=raw.get("rootCaCertificate"),
        root_ca_private_key=raw.get("rootCaPrivateKey"),
    )


class HybridSettingsProvider(PaletteProvider):
    """`PATCH .../hybridSettings {enable:true}` then `PUT .../clusterConfig/hybridConfig`.

    On delete, hybrid mode is turned off only when no hybrid pool uses it any more: Palette refuses it while
    pools exist, and turning it off under running nodes would cut them off. Destroying the whole hub deletes
    the imported cluster anyway, which ends hybrid mode with it.
    """

    KIND = ResourceKind("palette:HybridSettings", "Palette hybrid settings")

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
        return self._diff(Changes(changed=changed, replaces=replaces, warnings=warnings), olds, news)

    def _apply(self, props: dict[str, Any]) -> dict[str, Any]:
        api = self.api(props)
        identity = _identity(props)
        api.set_hybrid_settings(str(props["clusterUid"]), payloads.hybrid_settings_body(True))
        body = payloads.hybrid_config_body(
            str(props["vpcCidr"]), props.get("nodeCidrs") or [], props.get("podCidrs") or [], identity
        )
        api.put_hybrid_config(str(props["cloudConfigUid"]), body, secrets=identity.secrets())
        return {**props, "enabled": True}

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(str(props["cloudConfigUid"]), self._apply(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._apply(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        config = self.state_api(props).get_aws_cloud_config(id_)
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
        api = self.state_api(props)
        cluster = str(props["clusterUid"])
        try:
            pools = [str(p.get("name")) for p in api.hybrid_pools(cluster)]
        except PaletteNotFoundError:
            return  # the cluster is gone, and hybrid mode with it
        if pools:
            self.report(
                f"palette: hybrid mode stays on for cluster {cluster}: hybrid pools {', '.join(pools)} still"
                " use it (it ends with the cluster, or turn it off once no pool is left)"
            )
            return
        try:
            _ignore_missing(lambda: api.set_hybrid_settings(cluster, payloads.hybrid_settings_body(False)))
        except PaletteConflictError as exc:  # a pool appeared meanwhile: leave hybrid mode on
            self.report(f"palette: hybrid mode stays on for cluster {cluster}: {exc.message}")


def _model(cls: type[T], raw: Any, prop: str) -> tuple[T | None, list[CheckFailure]]:
    try:
        return cls.model_validate(raw or {}), []  # type: ignore[attr-defined]
    except ValidationError as exc:
        return None, [
            CheckFailure(".".join([prop, *(str(p) for p in e["loc"])]), e["msg"]) for e in exc.errors()
        ]


# --- the hybrid pools' cluster profile -------------------------------------------------------------------


def resolve_packs(api: PaletteApi, profile: PaletteProfileConfig) -> list[ResolvedPack]:
    """Every layer's pack resolved in its registry (`packs.pick_registry` / `pick_version`); all layers'
    problems are reported at once."""
    registries = api.registries()
    resolved: list[ResolvedPack] = []
    problems: list[str] = []
    for spec in layer_specs(profile):
        try:
            registry = pick_registry(registries, spec)
            kind = pack_type(registries, registry)
            resolved.append(pick_version(api.pack_versions(spec.pack, registry), spec, registry, kind))
        except PackResolutionError as exc:
            problems.append(str(exc))
    if problems:
        raise PaletteError(
            "cannot build the hybrid pools' cluster profile:\n  - " + "\n  - ".join(problems),
            code=Code.PACK_RESOLUTION,
        )
    return resolved


class ProfileProvider(PaletteProvider):
    """The hybrid pools' cluster profile, one lineage of immutable versions grouped by name.

    Create and every version bump resolve each layer's pack in its registry (at create *and* update, so a
    registry change or a vanished version is caught), then, as the Terraform provider's immutable-profile
    path does: adopt an existing name+version, or clone any existing version
    (`POST /v1/clusterprofiles/{uid}/clone`) and update, re-label and publish the clone, or create the
    first version. An existing name+version is finished (a draft) or checked (a published one must hold
    our packs). An old version is deleted only when no cluster uses it (its `status.inUseClusters`, read
    before each DELETE, since Palette deletes in-use versions); kept versions (in `retainedVersions`) are
    retried on every later `up` of the hub, and the hub's destroy is refused while a site's pool uses one.
    Upgrade order: bump the version and `up` the hub; `up` each site (its pools move to the new version);
    `up` the hub again.
    """

    KIND = ResourceKind("palette:HybridProfile", "Palette hybrid cluster profile")

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        _, failures = _model(PaletteProfileConfig, news.get("profile"), "profile")
        problem = profile_content_problem(olds, news) if olds else None
        if problem:
            failures.append(CheckFailure("profile", problem))
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return self._diff(profile_changes(olds, news), olds, news)

    def _publish_version(self, api: PaletteApi, profile: PaletteProfileConfig) -> tuple[str, dict[str, str]]:
        """The uid of `profile`'s name+version, published with our packs; and the packs' uids by layer.

        An existing name+version is finished, never taken as it is: a draft (`status.isPublished` false,
        e.g. a clone whose PUT failed, which still holds the source version's packs, since the clone API
        copies content: Terraform's `resource_cluster_profile.go`) gets the whole update, metadata and
        publish chain; a published one must already hold our packs (`published_layers_problem`), else the
        version is refused rather than re-published with other content."""
        packs = resolve_packs(api, profile)
        pack_uids = {p.layer: p.uid for p in packs}
        versions = api.profile_versions(profile.name)
        exact = versions.get(profile.version)
        if exact:
            self._finish_existing(api, profile, exact, packs)
            return exact, pack_uids
        if versions:
            source = versions[max(versions, key=version_key)]
            try:
                uid = api.clone_profile(source, payloads.profile_clone_body(profile))
            except PaletteConflictError:  # a retried clone that did happen
                uid = api.find_profile_uid(profile.name, profile.version) or ""
                if not uid:
                    raise
            self._update_and_publish(api, profile, uid, packs)
            return uid, pack_uids
        uid, adopted = _adopt_or_create(
            lambda: api.find_profile_uid(profile.name, profile.version),
            lambda: api.create_profile(payloads.cluster_profile_body(profile, packs)),
        )
        if adopted:
            self._finish_existing(api, profile, uid, packs)
        else:
            api.publish_profile(uid)
        return uid, pack_uids

    @staticmethod
    def _update_and_publish(
        api: PaletteApi, profile: PaletteProfileConfig, uid: str, packs: list[ResolvedPack]
    ) -> None:
        api.update_profile(uid, payloads.profile_update_body(profile, uid, packs))
        api.patch_profile_metadata(uid, payloads.profile_metadata_body(profile))
        api.publish_profile(uid)

    def _finish_existing(
        self, api: PaletteApi, profile: PaletteProfileConfig, uid: str, packs: list[ResolvedPack]
    ) -> None:
        live = api.get_profile(uid) or {}
        if not (live.get("status") or {}).get("isPublished"):
            self._update_and_publish(api, profile, uid, packs)
            return
        problem = published_layers_problem(live, packs, profile.name, profile.version)
        if problem:
            raise PaletteError(problem, code=Code.PROFILE_VERSION_TAKEN)

    def _users(self, api: PaletteApi, uid: str) -> list[str] | None:
        """The clusters (hybrid pools) using profile version `uid`; None when the version is gone."""
        live = api.get_profile(uid)
        return None if live is None else profile_users(live)

    def _delete_versions(self, api: PaletteApi, name: str, versions: dict[str, str]) -> dict[str, str]:
        """Delete each version no cluster uses; return those kept.

        Palette deletes a version even while clusters use it ("Clusters that are using a deleted profile
        will continue to operate fine": Spectro's docs, profiles/cluster-profiles/delete-cluster-profile.md;
        the Terraform provider needs `skip_destroy` to keep old versions), so the version is read first and
        kept while its `status.inUseClusters`/`inUseClusterUids` name a cluster (SPEC
        `v1ClusterProfileStatus`). A refusal of the DELETE (any 4xx) also keeps it, with Palette's words."""
        kept: dict[str, str] = {}
        for version, uid in sorted(versions.items()):
            users = self._users(api, uid)
            if users is None:
                continue
            if users:
                kept[version] = uid
                _warn(
                    f"palette: keeping hybrid profile {name!r} version {version} ({uid}): in use by"
                    f" {', '.join(users)}. It is deleted by a later `pulumi up` of the hub once every site's"
                    " pools use the new version (run `pulumi up` in each site stack, then in the hub)"
                )
                continue
            try:
                _ignore_missing(lambda uid=uid: api.delete_profile(uid))  # type: ignore[misc]
            except PaletteStatusError as exc:
                if not 400 <= exc.status < 500:
                    raise
                kept[version] = uid
                _warn(
                    f"palette: keeping hybrid profile {name!r} version {version} ({uid}): Palette refused"
                    f" to delete it ({exc.status} {exc.palette_code}: {exc.message}); the hub's next"
                    " `pulumi up` tries again"
                )
        return kept

    def create(self, props: dict[str, Any]) -> CreateResult:
        api = self.api(props)
        profile = PaletteProfileConfig.model_validate(props["profile"])
        uid, pack_uids = self._publish_version(api, profile)
        outs = {**props, "profileUid": uid, "published": True, "retainedVersions": {}, "packUids": pack_uids}
        return CreateResult(uid, outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        api = self.api(news)
        profile = PaletteProfileConfig.model_validate(news["profile"])
        current = str(olds.get("profileUid") or id_)
        retired = dict(olds.get("retainedVersions") or {})
        pack_uids = dict(olds.get("packUids") or {})
        if (olds.get("profile") or {}) != (news.get("profile") or {}):
            uid, pack_uids = self._publish_version(api, profile)
            if uid != current:
                retired[str((olds.get("profile") or {}).get("version"))] = current
            current = uid
        retired = {v: u for v, u in retired.items() if u != current}
        # Versions the hub is told to keep stay published; the others go once no pool uses them.
        listed = set(news.get("keepVersions") or [])
        kept = self._delete_versions(api, profile.name, {v: u for v, u in retired.items() if v not in listed})
        kept.update({v: u for v, u in retired.items() if v in listed})
        outs = {
            **news,
            "profileUid": current,
            "published": True,
            "retainedVersions": kept,
            "packUids": pack_uids,
        }
        return UpdateResult(outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        api = self.state_api(props)
        current = str(props.get("profileUid") or id_)
        live = api.get_profile(current)
        if live is None:
            return ReadResult("", {})
        outs = dict(props)
        profile = dict(outs.get("profile") or {})
        profile["name"] = (live.get("metadata") or {}).get("name", profile.get("name"))
        profile["version"] = (live.get("spec") or {}).get("version", profile.get("version"))
        existing = set(api.profile_versions(str(profile["name"])).values())
        retained = {v: u for v, u in (props.get("retainedVersions") or {}).items() if u in existing}
        outs.update(
            profile=profile,
            profileUid=current,
            published=bool((live.get("status") or {}).get("isPublished")),
            retainedVersions=retained,
        )
        return ReadResult(id_, outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Delete every version of the lineage, refused while any of them is attached to a cluster (a site's
        pool): Palette itself would delete it (see `_delete_versions`) and leave the pools on a profile
        that no longer exists."""
        api = self.state_api(props)
        name = str((props.get("profile") or {}).get("name"))
        versions = dict(props.get("retainedVersions") or {})
        versions[str((props.get("profile") or {}).get("version"))] = str(props.get("profileUid") or id_)
        present: dict[str, str] = {}
        blocked = []
        for version, uid in sorted(versions.items()):
            users = self._users(api, uid)
            if users is None:
                continue
            present[version] = uid
            if users:
                blocked.append(f"version {version} ({uid}) is used by {', '.join(users)}")
        if blocked:
            raise PaletteError(
                f"cannot delete hybrid profile {name!r}: site pools still use it; destroy the site stacks"
                " first (`pulumi destroy` in each), then the hub.\n  - " + "\n  - ".join(blocked),
                code=Code.PROFILE_IN_USE,
            )
        refused = []
        for version, uid in sorted(present.items()):
            try:
                _ignore_missing(lambda uid=uid: api.delete_profile(uid))  # type: ignore[misc]
            except PaletteStatusError as exc:
                if not 400 <= exc.status < 500:
                    raise
                refused.append(f"version {version} ({uid}): {exc.status} {exc.palette_code}: {exc.message}")
        if refused:
            raise PaletteError(
                f"cannot delete hybrid profile {name!r}: Palette refused:\n  - " + "\n  - ".join(refused),
                code=Code.PROFILE_IN_USE,
            )


# --- hybrid node pools -------------------------------------------------------------------------------------


class NodePoolProvider(PaletteProvider):
    """One hybrid node pool, addressed by name under the hub's AWS cloud config.

    Create and update wait until the pool's cluster is Running (bounded; stopped at once by Error, Failed
    or Deleted with Palette's message). Hosts leave a pool machines first, as the Terraform provider's
    edge-native pools do (`resource_cluster_edge_native.go`: delete the removed hosts' machines, then PUT the
    pool). A new profile version goes to the pool's cluster (`PATCH /v1/spectroclusters/{uid}/profiles`
    with `replaceWithProfile`), and the update waits until Palette can apply it (`spcApply.canBeApplied`,
    the Terraform provider's `waitForProfileDownload`).
    """

    KIND = ResourceKind("palette:HybridNodePool", "Palette hybrid node pool")

    delete_before_replace = True  # pools are addressed by name: the old one must go first

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        _, failures = _model(NodePoolConfig, news.get("pool"), "pool")
        for key in ("cloudConfigUid", "profileUid"):
            if not news.get(key) and key in news:
                failures.append(CheckFailure(key, "is required"))
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return self._diff(pool_changes(olds, news), olds, news)

    def _validate_hosts(
        self, api: PaletteApi, pool: NodePoolConfig, own: list[str], members: list[str]
    ) -> None:
        """Every host exists and no other cluster uses it; hosts joining (not among `members`, the hosts
        the pool holds) are ready, healthy, of the pool's architecture and in Appliance Mode as well."""
        problems: list[str] = []
        for host in pool.edge_hosts:
            problems += host_problems(
                host.uid,
                api.get_edge_host(host.uid),
                pool_name=pool.name,
                architecture=pool.architecture,
                own_cluster_uids=own,
                joining=host.uid not in members,
            )
        if problems:
            raise PaletteError(
                "cannot place edge hosts:\n  - " + "\n  - ".join(problems), code=Code.EDGE_HOST_UNUSABLE
            )

    @staticmethod
    def _site(props: dict[str, Any]) -> str | None:
        """The site this pool belongs to: its `eks-hybrid/site` label (`PaletteNodePools` always sets it)."""
        labels = (props.get("pool") or {}).get("labels") or {}
        site = labels.get(SITE_LABEL) or props.get("site")
        return str(site) if site else None

    def _check_owner(self, live: dict[str, Any] | None, props: dict[str, Any]) -> None:
        problem = pool_owner_problem(live, self._site(props))
        if problem:
            raise PaletteError(problem, code=Code.POOL_OF_ANOTHER_SITE)

    @staticmethod
    def _refs(live: dict[str, Any] | None) -> tuple[str, str]:
        """(pool cluster uid, pool cloud config uid) from a pool GET."""
        hybrid = ((live or {}).get("cloudConfig") or {}).get("hybridCluster") or {}
        return str(hybrid.get("uid") or ""), str(hybrid.get("cloudConfigUid") or "")

    @staticmethod
    def _hosts(pool: dict[str, Any]) -> list[str]:
        return [str(h.get("uid")) for h in pool.get("edgeHosts") or []]

    def _entry(self, api: PaletteApi, props: dict[str, Any]) -> dict[str, Any] | None:
        """The pool as the hub lists it (`hybridPools/metadata`: uid, cluster, status). Without the hub's
        cluster uid (`PaletteNodePools` callers that do not pass `cluster_uid`), the same facts from the
        pool's own GET and its cluster's state."""
        name = str(props["pool"]["name"])
        hub = str(props.get("clusterUid") or "")
        if hub:
            entry = pool_entry(api.hybrid_pools(hub), name)
            return dict(entry) if entry is not None else None
        live = api.get_pool(str(props["cloudConfigUid"]), name)
        if live is None:
            return None
        cluster_uid, config = self._refs(live)
        if not cluster_uid:
            return {"name": name, "status": {"state": "Pending"}}
        state, _ = _cluster_state(api.get_cluster(cluster_uid))
        return {"name": name, "clusterUid": cluster_uid, "cloudConfigUid": config, "status": {"state": state}}

    @staticmethod
    def _machines(api: PaletteApi, config: str, name: str) -> list[dict[str, Any]]:
        """The pool's machines; none while Palette has not listed the pool's machine pool yet (404) [I: that
        the child machine pool carries the hybrid pool's name, as the Terraform provider's edge-native
        pools do, resource_cluster_edge_native.go]."""
        if not config:
            return []
        try:
            return api.pool_machines(config, name)
        except PaletteNotFoundError:
            return []

    def _wait_pool(self, api: PaletteApi, props: dict[str, Any]) -> dict[str, Any]:
        """Wait until the pool is listed under the hub, linked to its cluster, Running, and every one of its
        hosts has a ready machine; returns the pool's `hybridPools` entry."""
        name, hosts = str(props["pool"]["name"]), self._hosts(props["pool"])
        last: dict[str, Any] = {}

        def observe() -> Observation:
            entry = self._entry(api, props)
            last["entry"] = entry or {}
            state = str(((entry or {}).get("status") or {}).get("state") or "")
            cluster_uid = str((entry or {}).get("clusterUid") or "")
            trouble = bool(cluster_uid) and state in TERMINAL_BAD_STATES
            cluster = api.get_cluster(cluster_uid) if trouble else None
            ready = bool(cluster_uid) and state == "Running"
            machines = (
                self._machines(api, str((entry or {}).get("cloudConfigUid") or ""), name) if ready else []
            )
            return pool_progress(entry, cluster, machines, hosts)

        self.waiter(props, "waitTimeoutSeconds", POOL_TIMEOUT).until(
            f"hybrid pool {name!r}",
            observe,
            hint="are its edge hosts online and able to reach Palette and the EKS endpoint?",
        )
        return dict(last["entry"])

    def _wait_repave(
        self, api: PaletteApi, props: dict[str, Any], cluster_uid: str, config: str, hosts: list[str]
    ) -> None:
        """Wait until the pool's cluster runs the new profile on every host: downloaded, then repaved."""
        name, profile = str(props["pool"]["name"]), str(props["profileUid"])

        def observe() -> Observation:
            cluster = api.get_cluster(cluster_uid)
            apply = ((cluster or {}).get("status") or {}).get("spcApply") or {}
            applying = cluster is not None and (not apply or bool(apply.get("canBeApplied")))
            machines = self._machines(api, config, name) if applying else []
            return repave_progress(cluster, machines, hosts, profile)

        self.waiter(props, "repaveTimeoutSeconds", REPAVE_TIMEOUT).until(
            f"the profile swap of pool {name!r}",
            observe,
            hint="Palette repaves one node at a time and a repave can take up to an hour (Spectro's docs); is"
            " the repave waiting for approval in Palette, or a host offline? A re-run of `pulumi up` waits"
            " again without swapping twice",
        )

    def _pool_outs(self, props: dict[str, Any], entry: dict[str, Any], fallback_uid: str) -> dict[str, Any]:
        """The pool's outputs from its `hybridPools` entry: created and adopted pools get the same uid."""
        return {
            **props,
            "poolUid": str(entry.get("uid") or fallback_uid),
            "poolClusterUid": str(entry.get("clusterUid") or ""),
            "poolCloudConfigUid": str(entry.get("cloudConfigUid") or ""),
        }

    def create(self, props: dict[str, Any]) -> CreateResult:
        api = self.api(props)
        pool = NodePoolConfig.model_validate(props["pool"])
        config_uid = str(props["cloudConfigUid"])
        existing = api.get_pool(config_uid, pool.name)
        uid = ""
        if existing is None:
            self._validate_hosts(api, pool, [], [])
            try:
                uid = api.create_pool(config_uid, payloads.pool_create_body(pool, str(props["profileUid"])))
            except PaletteConflictError:
                existing = api.get_pool(config_uid, pool.name)
                if existing is None:
                    raise
        if existing is not None:
            uid = self._adopt(api, props, pool, existing)
        outs = self._pool_outs(props, self._wait_pool(api, props), uid or pool.name)
        return CreateResult(outs["poolUid"], outs)

    def _adopt(
        self, api: PaletteApi, props: dict[str, Any], pool: NodePoolConfig, live: dict[str, Any]
    ) -> str:
        self._check_owner(live, props)  # never adopt another site's pool of the same name
        cluster_uid, config = self._refs(live)
        uid = str((live.get("poolConfig") or {}).get("uid") or pool.name)
        edge_config = api.get_edge_native_config(config) if config else None
        if normalise_pool(pool_from_live(live, edge_config)) != normalise_pool(props["pool"]):
            self._validate_hosts(api, pool, [cluster_uid], pool_members(live))
            api.update_pool(str(props["cloudConfigUid"]), pool.name, payloads.pool_update_body(pool))
        return uid

    def _remove_machines(
        self, api: PaletteApi, olds: dict[str, Any], news: dict[str, Any], config: str
    ) -> None:
        """Machines of hosts leaving the pool go first (then the pool's PUT drops the hosts). A machine pool
        Palette does not list (404) has no machines to delete: the PUT still drops the hosts."""
        old_pool, new_pool = olds.get("pool") or {}, news.get("pool") or {}
        leaving = set(leaving_hosts(old_pool, new_pool))
        if not leaving or not config:
            return
        hosts = [h for h in old_pool.get("edgeHosts") or [] if str(h.get("uid")) in leaving]
        name = str(new_pool.get("name"))
        try:
            machines = api.pool_machines(config, name)
        except PaletteNotFoundError:
            _warn(f"palette: pool {name!r} lists no machines (404): the pool update drops its leaving hosts")
            return
        for machine in machines_for_hosts(machines, hosts):
            _ignore_missing(lambda machine=machine: api.delete_machine(config, name, machine))  # type: ignore[misc]

    def _swap_profile(
        self,
        api: PaletteApi,
        news: dict[str, Any],
        cluster_uid: str,
        config: str,
        hosts: list[str],
    ) -> None:
        """Move the pool's cluster to the new profile version and wait for the repave. A cluster that already
        has it (a re-run after a wait that timed out) is not patched again; the one it runs is the one
        replaced (`replaceWithProfile`), whatever the state says."""
        new = str(news["profileUid"])
        replacing = attached_profile_uid(api.get_cluster(cluster_uid), new)
        if replacing != new:
            api.patch_cluster_profiles(cluster_uid, payloads.replace_profile_body(new, replacing))
        self._wait_repave(api, news, cluster_uid, config, hosts)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        api = self.api(news)
        pool = NodePoolConfig.model_validate(news["pool"])
        config_uid = str(news["cloudConfigUid"])
        live = api.get_pool(config_uid, pool.name)
        self._check_owner(live, news)
        cluster_uid, config = self._refs(live)
        cluster_uid = cluster_uid or str(olds.get("poolClusterUid") or "")
        config = config or str(olds.get("poolCloudConfigUid") or "")
        held = (olds.get("pool") or {}).get("edgeHosts") or []
        members = pool_members(live) if live else [str(h.get("uid")) for h in held]
        self._validate_hosts(api, pool, [cluster_uid] if cluster_uid else [], members)
        if olds.get("profileUid") != news.get("profileUid") and cluster_uid:
            self._swap_profile(api, news, cluster_uid, config, members)
        if normalise_pool(olds.get("pool") or {}) != normalise_pool(news.get("pool") or {}):
            self._remove_machines(api, olds, news, config)
            api.update_pool(config_uid, pool.name, payloads.pool_update_body(pool))
            entry = self._wait_pool(api, news)  # a PUT keeps the pool's uid; its listing has the rest
            cluster_uid = str(entry.get("clusterUid") or cluster_uid)
            config = str(entry.get("cloudConfigUid") or config)
        return UpdateResult(
            {**news, "poolUid": id_, "poolClusterUid": cluster_uid, "poolCloudConfigUid": config}
        )

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        api = self.state_api(props)
        live = api.get_pool(str(props["cloudConfigUid"]), str((props.get("pool") or {}).get("name")))
        if live is None:
            return ReadResult("", {})
        cluster, config = self._refs(live)
        edge_config = api.get_edge_native_config(config) if config else None
        pool = normalise_pool(pool_from_live(live, edge_config))
        # The profile version the pool's cluster runs, so one switched in Palette's UI shows as a diff
        # (and the next update swaps it back with `replaceWithProfile` naming the live one).
        current = str(props.get("profileUid") or "")
        profile_uid = attached_profile_uid(api.get_cluster(cluster), current) if cluster else current
        outs = {
            **props,
            "pool": pool,
            "profileUid": profile_uid,
            "poolUid": id_,
            "poolClusterUid": cluster,
            "poolCloudConfigUid": config,
        }
        return ReadResult(id_, outs)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        api = self.state_api(props)
        config_uid, name = str(props["cloudConfigUid"]), str(props["pool"]["name"])
        live = api.get_pool(config_uid, name)
        if live is None:
            return
        problem = pool_owner_problem(live, self._site(props))
        if problem:  # this site's pool is gone and another site's took its name: never delete that one
            self.report(f"palette: hybrid pool {name!r} is not deleted: {problem}")
            return
        _ignore_missing(lambda: api.delete_pool(config_uid, name))

        def observe() -> Observation:
            gone = api.get_pool(config_uid, name) is None
            return Observation("deleted" if gone else "Deleting", done=gone)

        self.waiter(props, "waitTimeoutSeconds", POOL_TIMEOUT).until(
            f"the deletion of hybrid pool {name!r}", observe
        )


# Module-level instances: what components hand to `pulumi.dynamic.Resource`.
CLUSTER_IMPORT = ClusterImportProvider()
CLUSTER_READINESS = ClusterReadinessProvider()
HYBRID_SETTINGS = HybridSettingsProvider()
PROFILE = ProfileProvider()
NODE_POOL = NodePoolProvider()
