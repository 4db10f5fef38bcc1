"""Run a Pulumi program under the mock engine (`preview=False`) and return what it would declare."""

from __future__ import annotations

import asyncio
import atexit
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks

from eks_hybrid.components._sdk_private import run_program
from eks_hybrid.components.codes import Code
from eks_hybrid.components.errors import EksHybridError

from .mocks import DEFAULT_REGION, OfflineMocks
from .recording import SECRET, RecordedResource, RecordingMonitor, scrub

PROJECT = "eks-hybrid"
StackOutputs = tuple[dict[str, Any], list[str]]  # (outputs, names of the secret ones)


class DuplicateResourceError(EksHybridError):
    """Two resources share a URN: the real engine would refuse the whole update."""

    code = Code.DUPLICATE_RESOURCE


@dataclass(frozen=True)
class OfflineRun:
    stack: str
    resources: tuple[RecordedResource, ...]
    outputs: dict[str, Any]
    secret_outputs: frozenset[str]
    raw_outputs: dict[str, Any] = field(repr=False)
    warnings: tuple[str, ...] = ()

    def by_type(self, type_token: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_token]

    def named(self, name: str) -> RecordedResource:
        matches = [r for r in self.resources if r.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources named {name!r}")
        return matches[0]

    def children_of(self, parent: RecordedResource) -> list[RecordedResource]:
        return [r for r in self.resources if r.parent == parent.urn]

    def stack_outputs(self) -> StackOutputs:
        """These outputs as a StackReference reads them (real values, secret names listed)."""
        return dict(self.raw_outputs), sorted(self.secret_outputs)


class _WarningCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run_offline(
    program: Callable[[], None],
    *,
    stack: str,
    config: Mapping[str, str] | None = None,
    secret_keys: list[str] | None = None,
    stack_references: Mapping[str, StackOutputs] | None = None,
    region: str = DEFAULT_REGION,
    project: str = PROJECT,
) -> OfflineRun:
    """Run `program` as stack `stack` of `project` (eks-hybrid's own by default) and reset afterwards.

    `stack_references` answers the program's StackReferences by stack name; one to `stack` itself reads its
    previous update's outputs (`components.composition.previous_outputs`): those given for it, else none.

    Runs share one event loop, and so its executor threads (a loop and its threads cost ~5 ms a run): a run
    leaves nothing on it, and one that fails closes it, so the next starts afresh.
    """
    loop = _LOOPS.take()
    asyncio.set_event_loop(loop)
    logger = logging.getLogger(f"eks_hybrid.offline.{stack}")
    logger.propagate = False
    collector = _WarningCollector()
    logger.addHandler(collector)
    mocks = OfflineMocks(region=region, stack_outputs=stack_references or {}, own_stack=stack)
    monitor = RecordingMonitor(mocks)
    clean = False
    try:
        pulumi.runtime.reset_options(project=project, stack=stack, preview=False)
        pulumi.runtime.set_all_config(dict(config or {}), list(secret_keys or []))
        pulumi_mocks.set_mocks(
            mocks, project=project, stack=stack, preview=False, monitor=monitor, logger=logger
        )
        loop.run_until_complete(run_program(program))
        raw_outputs, secret_outputs = loop.run_until_complete(_resolve_exports())
        clean = True
    finally:
        clean = _LOOPS.give_back(loop, clean)
        monitor.close()
        logger.removeHandler(collector)
        pulumi.runtime.reset_options()
        pulumi.runtime.set_all_config({}, [])
        asyncio.set_event_loop(None)
    if monitor.duplicates:
        raise DuplicateResourceError(
            "resources declared twice (the real engine rejects this): " + ", ".join(monitor.duplicates)
        )
    resources = tuple(sorted(monitor.recorded.values(), key=lambda r: r.urn))
    shown = {k: SECRET if k in secret_outputs else scrub(v) for k, v in sorted(raw_outputs.items())}
    return OfflineRun(
        stack=stack,
        resources=resources,
        outputs=shown,
        secret_outputs=frozenset(secret_outputs),
        raw_outputs=raw_outputs,
        warnings=tuple(collector.messages),
    )


async def _resolve_exports() -> tuple[dict[str, Any], set[str]]:
    root = pulumi.runtime.get_root_resource()
    exported: Mapping[str, Any] = getattr(root, "outputs", None) or {}
    outputs = [pulumi.Output.from_input(value) for value in exported.values()]
    values = await asyncio.gather(*(output.future() for output in outputs))
    secrets = await asyncio.gather(*(output.is_secret() for output in outputs))
    return dict(zip(exported, values, strict=True)), {
        name for name, secret in zip(exported, secrets, strict=True) if secret
    }


class _LoopKeeper:
    """The one event loop offline runs share (per thread: tests may plan from several)."""

    def __init__(self) -> None:
        self._local = threading.local()

    def take(self) -> asyncio.AbstractEventLoop:
        loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
        if loop is None or loop.is_closed():
            loop = asyncio.new_event_loop()
            self._local.loop = loop
            atexit.register(loop.close)
        return loop

    def give_back(self, loop: asyncio.AbstractEventLoop, clean: bool) -> bool:
        """Keep `loop` for the next run if this one left nothing behind; else close it."""
        if clean:
            pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
            if pending:
                clean = False
                for task in pending:
                    task.cancel()
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        if not clean:
            self._local.loop = None
            atexit.unregister(loop.close)
            # A run that failed inside a nested wait (the SDK's `_sync_await`) can leave the loop marked
            # running: closing it would raise over the run's own error, so it is dropped instead.
            if not loop.is_running():
                loop.close()
        return clean


_LOOPS = _LoopKeeper()
