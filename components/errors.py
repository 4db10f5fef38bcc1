"""Every error eks-hybrid raises on purpose.

    EksHybridError
    ├── ProblemsError                 one or more `Problem`s, reported all at once
    │   ├── ConfigError               a stack file breaks a rule of the config contract
    │   ├── PlanError                 valid config that cannot be planned (e.g. a site the hub does not know)
    │   └── ArgumentsError            a component's arguments break a rule (names the component and argument)
    └── PaletteError                  anything from the Palette API
        ├── PaletteTransportError     no usable HTTP response: connection reset, timeout, deadline
        ├── PaletteScopeError         the key works but cannot see the configured project
        ├── PaletteWaitError          a wait ended in a terminal bad state, or timed out
        └── PaletteStatusError        Palette answered with an error status and body {code, message, ref}
            ├── PaletteAuthError           401, or the key check answered 404: the API key was rejected
            ├── PaletteForbiddenError      403: the key's user may not do this in the project
            ├── PaletteNotFoundError       404 (code ResourceNotFound), after the key and project checked out
            ├── PaletteConflictError       409, or a duplicate the API reports as 400
            ├── PaletteRateLimitedError    429
            └── PaletteValidationError     400 (the request did not match the API spec)

Library errors (httpx, pydantic) are mapped to these in one place each, `raise ... from exc`.
Messages never contain credentials (`eks_hybrid.components.palette._redact`), and a value from a stack file
appears only through `shown`: quoted, control characters (terminal escapes included) escaped, and cut short.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "MAX_SHOWN_PROBLEMS",
    "ArgumentsError",
    "ConfigError",
    "EksHybridError",
    "PaletteAuthError",
    "PaletteConflictError",
    "PaletteError",
    "PaletteForbiddenError",
    "PaletteNotFoundError",
    "PaletteRateLimitedError",
    "PaletteScopeError",
    "PaletteStatusError",
    "PaletteTransportError",
    "PaletteValidationError",
    "PaletteWaitError",
    "PlanError",
    "Problem",
    "ProblemsError",
    "printable",
    "shown",
]

MAX_SHOWN_PROBLEMS = 200
"""A report lists at most this many problems, then says how many more there are."""


def printable(text: str, limit: int | None = None) -> str:
    """`text` with every non-printable character (ANSI escapes, NUL, bidi controls) escaped as `\\x1b`, and
    when `limit` is given, at most `limit` characters, saying how long it was."""
    escaped = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    if limit is None or len(escaped) <= limit:
        return escaped
    return f"{escaped[: limit - 1]}… ({len(escaped)} characters)"


def shown(value: object, limit: int = 60) -> str:
    """A value a user wrote, as a message may quote it: `'text'`, escaped and at most `limit` characters."""
    if isinstance(value, str):
        text = printable(value)
        if len(text) > limit:
            return f"'{text[: limit - 1]}…' ({len(value)} characters)"
        return f"'{text}'"
    return printable(repr(value), limit)


class EksHybridError(Exception):
    """Base of every error raised on purpose by eks-hybrid."""


@dataclass(frozen=True, order=True)
class Problem:
    """One broken rule: where (file and dotted key path) and which rule."""

    file: str
    path: str
    rule: str

    def __str__(self) -> str:
        # Paths hold keys the user wrote; rules quote values through `shown`, escaped again here in case.
        return f"{printable(self.file, 300)}: {printable(self.path, 300)}: {printable(self.rule, 2000)}"


class ProblemsError(EksHybridError):
    """Carries every problem found, so a user fixes them in one pass."""

    headline = "invalid input"

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(dict.fromkeys(problems))
        if not self.problems:
            raise ValueError(f"{type(self).__name__} needs at least one problem")
        super().__init__(self.render())

    def render(self) -> str:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{self.headline} ({count} {noun}):"]
        lines += [f"  - {problem}" for problem in self.problems[:MAX_SHOWN_PROBLEMS]]
        if count > MAX_SHOWN_PROBLEMS:
            lines.append(f"  ... and {count - MAX_SHOWN_PROBLEMS} more (fix these first, then plan again)")
        return "\n".join(lines)


class ConfigError(ProblemsError):
    """A stack file breaks a rule of the config contract."""

    headline = "invalid stack configuration"


class PlanError(ProblemsError):
    """A valid config that cannot be planned against what it depends on (the hub's inventory)."""

    headline = "cannot plan this stack"


class ArgumentsError(ProblemsError):
    """A component was given arguments that break a rule. Each problem's `file` names the component
    (`TransitGatewayHub 'edge'`) and its `path` the argument (`sites.dallas.pod_cidr`). Raised before the
    component declares anything when the value is known, or when an Output resolves (failing the
    deployment with the same message)."""

    headline = "invalid component arguments"


class PaletteError(EksHybridError):
    """Anything that went wrong talking to Palette."""

    def add_context(self, text: str) -> None:
        """Append `text` to the message (e.g. how many attempts a retry made before giving up)."""
        self.args = (f"{self}{text}",)


class PaletteScopeError(PaletteError):
    """The API key works, but the configured project is not one it can see."""


class PaletteWaitError(PaletteError):
    """A wait stopped: the object reached a terminal bad state (with Palette's message), or time ran out."""


class PaletteTransportError(PaletteError):
    """No usable HTTP response: the connection failed, timed out, or the overall deadline passed."""

    def __init__(self, message: str, *, method: str = "", path: str = "") -> None:
        self.method = method
        self.path = path
        where = f" ({method} {path})" if method else ""
        super().__init__(f"{message}{where}")


class PaletteStatusError(PaletteError):
    """Palette answered with an error status; carries its `{code, message, ref}` body."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        ref: str = "",
        method: str = "",
        path: str = "",
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.ref = ref
        self.method = method
        self.path = path
        ref_part = f" [ref {ref}]" if ref else ""
        where = f"{method} {path}: " if method else ""
        super().__init__(f"{where}{status} {code}: {message}{ref_part}")


class PaletteAuthError(PaletteStatusError):
    """401, or 404 from the key check: Palette rejected the API key (never read as "resource gone")."""


class PaletteForbiddenError(PaletteStatusError):
    """403: the key's user lacks a permission in the project (never read as "resource gone")."""


class PaletteNotFoundError(PaletteStatusError):
    """404, code `ResourceNotFound`."""


class PaletteConflictError(PaletteStatusError):
    """409, or a duplicate name the API reports as a client error."""


class PaletteRateLimitedError(PaletteStatusError):
    """429 `TooManyRequests`, after the client's retries ran out."""


class PaletteValidationError(PaletteStatusError):
    """400: the request body did not match the API's definitions."""
