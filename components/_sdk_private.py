"""The one place eks-hybrid reaches into the Pulumi Python SDK beyond its public API.

Everything else uses public API. These three needs have no public answer in the SDK (pulumi 3.272):

- **List every config key of the running stack.** `pulumi.Config` reads one key at a time, so a typo
  such as `eks-hybrid:clustr` would go unnoticed; the config contract reports unknown keys, so it needs
  them all. The language host loads config into `pulumi.runtime.config.CONFIG` (from `PULUMI_CONFIG`,
  see `sdk/python/cmd/pulumi-language-python-exec`); the automation API's inline programs fill it too.
- **Wait for an Output while the program is still declaring resources.** A site reads its hub's
  StackReference outputs and checks itself against them before it declares anything; declaring inside
  `apply` would hide the site's resources from previews. `pulumi.runtime.sync_await._sync_await` is
  what the SDK's own `pulumi.runtime.test` uses for this.
- **Run a program under the mock engine and wait for its registrations**, as `pulumi.runtime.test`
  does, for the offline `plan` (`pulumi.runtime.stack.run_pulumi_func`).

Each name is checked when this module is imported: if an SDK release moves or reshapes one, importing
eks-hybrid fails at once with a message naming it, and `tests/test_sdk_private.py` says which.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from typing import Any, TypeVar

import pulumi.runtime
from pulumi.runtime import config as _runtime_config
from pulumi.runtime import stack as _runtime_stack
from pulumi.runtime import sync_await as _runtime_sync_await

from .codes import Code
from .errors import EksHybridError

__all__ = ["config_items", "config_value", "is_config_secret", "run_program", "wait"]

T = TypeVar("T")

VERIFIED_WITH = "pulumi 3.272.0"


class PulumiSdkChangedError(EksHybridError, ImportError):
    """The installed Pulumi SDK no longer has an internal eks-hybrid relies on."""

    code = Code.PULUMI_SDK_CHANGED


def _require(module: Any, name: str, check: Callable[[Any], bool], shape: str) -> Any:
    value = getattr(module, name, None)
    if value is None or not check(value):
        raise PulumiSdkChangedError(
            f"eks-hybrid needs {module.__name__}.{name} ({shape}), which the installed Pulumi SDK does not"
            f" provide as such; eks-hybrid was verified with {VERIFIED_WITH}: install that version or"
            " update components/_sdk_private.py"
        )
    return value


def _takes_one_argument(function: Any) -> bool:
    if not callable(function):
        return False
    parameters = list(inspect.signature(function).parameters.values())
    return len(parameters) == 1 and parameters[0].kind in (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    )


_CONFIG: ContextVar[dict[str, Any]] = _require(
    _runtime_config, "CONFIG", lambda v: isinstance(v, ContextVar), "a ContextVar holding the config dict"
)
_SYNC_AWAIT: Callable[[Awaitable[Any]], Any] = _require(
    _runtime_sync_await, "_sync_await", _takes_one_argument, "a function awaiting one awaitable"
)
_RUN_PULUMI_FUNC: Callable[[Callable[[], Any]], Awaitable[None]] = _require(
    _runtime_stack,
    "run_pulumi_func",
    lambda v: _takes_one_argument(v) and inspect.iscoroutinefunction(v),
    "a coroutine function running one program",
)
_GET_CONFIG_ENV: Callable[[], Mapping[str, Any]] = _require(
    pulumi.runtime, "get_config_env", callable, "a function returning PULUMI_CONFIG as a dict"
)
_GET_CONFIG: Callable[[str], Any] = _require(
    pulumi.runtime, "get_config", _takes_one_argument, "a function reading one config key"
)
_IS_CONFIG_SECRET: Callable[[str], bool] = _require(
    pulumi.runtime, "is_config_secret", _takes_one_argument, "a function telling a secret key"
)


def config_items() -> dict[str, Any]:
    """Every config key of the running stack with its raw value (objects and lists as JSON text)."""
    return {**_GET_CONFIG_ENV(), **_CONFIG.get()}


def config_value(key: str) -> Any:
    """One key's raw value, as `pulumi.Config` would read it (explicit config, then the environment)."""
    return _GET_CONFIG(key)


def is_config_secret(key: str) -> bool:
    return _IS_CONFIG_SECRET(key)


def wait(awaitable: Awaitable[T]) -> T:
    """The awaitable's result, now, even while the program is running on the event loop."""
    result: T = _SYNC_AWAIT(awaitable)
    return result


async def run_program(program: Callable[[], None]) -> None:
    """Run `program` as the stack's body and wait until every registration it made has completed."""
    await _RUN_PULUMI_FUNC(program)
