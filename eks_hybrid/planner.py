"""Plan stacks offline: run the real program under the mock engine, hubs before the sites that read them."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eks_hybrid.components.codes import Code
from eks_hybrid.components.composition import build_current_stack
from eks_hybrid.components.config import validate_stack
from eks_hybrid.components.config.secrets import (
    SecretStatus,
    api_key_problems,
    missing_secret_problems,
    secret_statuses,
)
from eks_hybrid.components.config.source import stack_file_label, stack_files_in
from eks_hybrid.components.errors import ConfigError, EksHybridError, PlanError, Problem, ProblemsError

from .offline.engine import OfflineRun, StackOutputs, run_offline
from .offline.mocks import DEFAULT_REGION
from .secret_digests import secret_digests
from .site_claims import UnclaimedSite, claim_conflicts, unclaimed_sites
from .site_reach import ReachNote, reach_notes
from .stack_files import StackFile, list_stacks, read_stack_file, stack_path

OFFLINE_SECRETS_HINT = " (or preview without it: `eks-hybrid plan --offline-secrets`)"


class HubNotPlannedError(EksHybridError):
    """A site was skipped because its hub stack could not be planned (`cause` says why)."""

    code = Code.HUB_NOT_PLANNED

    def __init__(self, site: str, hub: str, cause: Exception) -> None:
        self.site = site
        self.hub = hub
        self.cause = cause
        super().__init__(f"{site}: skipped: its hub stack {hub} could not be planned")


@dataclass(frozen=True)
class StackPlan:
    stack: str
    role: str
    run: OfflineRun
    secrets: tuple[SecretStatus, ...] = ()
    environments: tuple[str, ...] = ()
    offline_secrets: bool = False
    config_secrets: dict[str, str] = field(default_factory=dict)
    """Each config secret's path and the digest of its ciphertext (see `secret_digests`)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "role": self.role,
            "resources": [resource.to_json() for resource in self.run.resources],
            "outputs": self.run.outputs,
            "secrets": [
                {
                    "path": status.need.path,
                    "what": status.need.what,
                    "required": status.need.required,
                    "env": status.need.env,
                    "source": status.source,
                }
                for status in self.secrets
            ],
            "environments": list(self.environments),
            "configSecrets": self.config_secrets,
        }


@dataclass
class Planner:
    """Plans stacks from one directory; each hub is planned once and its outputs reused by its sites.

    A secret that a real run needs but that neither the stack file nor the environment holds is a
    problem, unless `offline_secrets`: then the plan is a preview, the secret stands in as "[secret]"
    and the plan's `secrets` say it is missing.
    """

    stacks_dir: Path
    offline_secrets: bool = False
    _hub_outputs: dict[str, StackOutputs] = field(default_factory=dict)
    _hub_failures: dict[str, Exception] = field(default_factory=dict)
    _files: dict[str, StackFile] = field(default_factory=dict)

    def read(self, name: str) -> StackFile:
        """`name`'s stack file, read and parsed once per planner: ordering the stacks (`stack_order`),
        planning each and a site's look at its hub's file all see the same read."""
        if name not in self._files:
            self._files[name] = read_stack_file(self.stacks_dir, name)
        return self._files[name]

    def _readable(self, names: Iterable[str]) -> list[StackFile]:
        """The stack files of `names` that can be read (the others fail when they are planned)."""
        stacks = []
        for name in names:
            try:
                stacks.append(self.read(name))
            except ProblemsError:
                continue
        return stacks

    def refusals(self, names: Iterable[str]) -> dict[str, PlanError]:
        """The stacks among `names` that must not be planned together, each with the error that refuses
        it: site stacks claiming one site of one hub (`site_claims`). Read from the files alone, so a
        caller checks before planning any of them and leaves nothing half-planned."""
        stacks = self._readable(names)
        conflicts = claim_conflicts(stacks)
        return {
            stack.name: conflicts[stack.path.resolve()]
            for stack in stacks
            if stack.path.resolve() in conflicts
        }

    def unclaimed_sites(self, names: Iterable[str]) -> list[UnclaimedSite]:
        """Each site of a hub's inventory among `names` that no site stack among `names` claims."""
        return unclaimed_sites(self._readable(names))

    def reach_notes(self, names: Iterable[str]) -> list[ReachNote]:
        """Each pair of sites of a hub among `names` that does not reach the other through AWS, read from
        the stack files of `names` (`site_reach`)."""
        return reach_notes(self._readable(names))

    def plan(self, name: str) -> StackPlan:
        try:
            stack = self.read(name)
        except Exception as error:
            self._hub_failures.setdefault(name, error)  # a site naming this file as its hub is skipped
            raise
        try:
            with stack_files_in(self.stacks_dir):
                planned = self._plan(stack)
        except Exception as error:
            if stack.role == "hub":
                self._hub_failures.setdefault(name, error)
            raise
        if planned.role == "hub":
            # Its sites read these: planning the hub again for them would double an `--all` run's work.
            self._hub_outputs.setdefault(name, planned.run.stack_outputs())
        return planned

    def _plan(self, stack: StackFile) -> StackPlan:
        file = stack.label
        # Validate here too, so a bad file is reported as the file's problems, not the program's.
        config = validate_stack(stack.document, file, stack.secret_keys, secret_paths=stack.secret_paths)
        # The environment is the program's own (`pulumi up` reads PALETTE_API_KEY from it too).
        malformed = api_key_problems(config, file, os.environ)
        if malformed:  # refused with or without --offline-secrets: a real run would send this key
            raise ConfigError(malformed)
        statuses = secret_statuses(config, os.environ)
        missing = [status.need.path for status in statuses if status.missing]
        if missing and not self.offline_secrets:
            hint = OFFLINE_SECRETS_HINT
            if stack.environments:
                hint = (
                    f" (the stack imports Pulumi ESC environments {', '.join(stack.environments)}, which plan"
                    " cannot open: if one provides it, preview with `eks-hybrid plan --offline-secrets`)"
                )
            raise ConfigError(missing_secret_problems(config, file, os.environ, hint))
        references: dict[str, StackOutputs] = {}
        if config.role == "site":
            references[config.hub] = self._hub_for(stack.name, config.hub_stack_name)
        return StackPlan(
            stack=stack.name,
            role=config.role,
            run=self._run(stack.with_secret_placeholders(missing), references),
            secrets=tuple(statuses),
            environments=stack.environments,
            offline_secrets=self.offline_secrets,
            config_secrets=secret_digests(stack.written),
        )

    def hub_outputs(self, hub: str) -> StackOutputs:
        if hub not in self._hub_outputs:
            self.plan(hub)
        return self._hub_outputs[hub]

    def _hub_for(self, site: str, hub: str) -> StackOutputs:
        if hub in self._hub_outputs:
            return self._hub_outputs[hub]
        if hub in self._hub_failures:
            raise HubNotPlannedError(site, hub, self._hub_failures[hub])
        hub_file = None
        if stack_path(self.stacks_dir, hub).is_file():
            try:
                hub_file = self.read(hub)
            except Exception as error:  # the hub's own file is at fault: blame it, skip the site
                self._hub_failures.setdefault(hub, error)
                raise HubNotPlannedError(site, hub, error) from error
        if hub_file is None or hub_file.role != "hub":
            found = "is not a hub stack" if hub_file else f"has no stack file in {self.stacks_dir}"
            hubs = self._hub_names()
            listed = f"the hub stacks there: {', '.join(hubs)}" if hubs else "there is no hub stack there"
            raise PlanError(
                [
                    Problem(
                        stack_file_label(site),
                        "eks-hybrid:hub",
                        f"{hub} {found}: plan needs the hub's outputs ({listed})",
                        Code.HUB_NOT_A_HUB,
                    )
                ]
            )
        try:
            return self.hub_outputs(hub)
        except Exception as error:
            raise HubNotPlannedError(site, hub, error) from error

    def _hub_names(self) -> list[str]:
        """The stacks in the directory whose files say `eks-hybrid:role: hub` (unreadable ones left out)."""
        hubs = []
        for name in list_stacks(self.stacks_dir):
            try:
                if self.read(name).role == "hub":
                    hubs.append(name)
            except ProblemsError:
                continue
        return hubs

    def _run(self, stack: StackFile, references: dict[str, StackOutputs]) -> OfflineRun:
        region = stack.document.get("aws:region")
        return run_offline(
            build_current_stack,
            stack=stack.name,
            config=stack.runtime_config(),
            secret_keys=sorted(stack.secret_keys),
            stack_references=references,
            region=region if isinstance(region, str) else DEFAULT_REGION,
        )


def plan_stack(stacks_dir: Path, name: str, *, offline_secrets: bool = False) -> StackPlan:
    return Planner(stacks_dir, offline_secrets=offline_secrets).plan(name)
