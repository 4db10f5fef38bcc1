"""Every error eks-hybrid raises on purpose.

    EksHybridError
    ├── ProblemsError                 one or more `Problem`s, reported all at once
    │   ├── ConfigError               a stack file breaks a rule of the config contract
    │   ├── PlanError                 valid config that cannot be planned (e.g. a site the hub does not know)
    │   └── ArgumentsError            a component's arguments break a rule (names the component and argument)
    ├── RuleError (ValueError)        one value breaks a rule; the caller places it as a `Problem`
    │   └── CidrRuleError             a CIDR or address breaks a rule
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

Every error and every problem carries a stable `code` from the catalogue in `eks_hybrid.components.codes`
(like pydantic's error `type`): key on codes, not on wording. A `Problem` refuses a code that is not in the
catalogue. Library errors (httpx, pydantic) are mapped to these in one place each, `raise ... from exc`.
Messages never contain credentials (`eks_hybrid.components.palette._redact`), and a value from a stack file
appears only through `shown`: quoted, control characters (terminal escapes included) escaped, and cut short.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .codes import Code

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
    "Reason",
    "RuleError",
    "key_path",
    "printable",
    "printable_lines",
    "shown",
]

MAX_SHOWN_PROBLEMS = 200
"""A report lists at most this many problems, then says how many more there are."""


def key_path(loc: Sequence[str | int]) -> str:
    """('eks-hybrid:site', 'nodePools', 0, 'name') -> 'eks-hybrid:site.nodePools[0].name': how every problem
    names a key in a stack file, an outputs file or a plan document ('' for the whole of it; pydantic's
    '[key]' marker of a mapping's key is left out)."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part != "[key]":
            path += f".{part}" if path else part
    return path


def printable(text: str, limit: int | None = None) -> str:
    """`text` with every non-printable character (ANSI escapes, NUL, bidi controls) escaped as `\\x1b`, and
    when `limit` is given, at most `limit` characters, saying how long it was."""
    escaped = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    if limit is None or len(escaped) <= limit:
        return escaped
    return f"{escaped[: limit - 1]}… ({len(escaped)} characters)"


def printable_lines(text: str) -> str:
    """`text` with its line breaks and tabs kept and every other non-printable character escaped
    (`printable`): text for a terminal, whatever a file name or value held."""
    return "\n".join("\t".join(printable(part) for part in line.split("\t")) for line in text.split("\n"))


def shown(value: object, limit: int = 60) -> str:
    """A value a user wrote, as a message may quote it: `'text'`, escaped and at most `limit` characters."""
    if isinstance(value, str):
        text = printable(value)
        if len(text) > limit:
            return f"'{text[: limit - 1]}…' ({len(value)} characters)"
        return f"'{text}'"
    return printable(repr(value), limit)


class EksHybridError(Exception):
    """Base of every error raised on purpose by eks-hybrid. `code` names the kind of error (each subclass
    sets its own; an instance may carry a more specific one)."""

    code: Code = Code.ERROR

    def __init__(self, *args: object, code: Code | None = None) -> None:
        super().__init__(*args)
        if code is not None:
            self.code = Code.of(code)


@dataclass(frozen=True)
class Reason:
    """Why a value breaks a rule, before it is placed in a file and key path: a code and the rule's words."""

    code: Code
    text: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", Code.of(self.code))  # refuses a code that is not in the catalogue

    def __str__(self) -> str:
        return self.text


class RuleError(EksHybridError, ValueError):
    """A value breaks a rule: raised by a pure check, turned into a `Problem` by the caller that knows the
    file and key path (`Problem.of(file, path, error.reason)`). A `ValueError` too, for callers that catch
    that."""

    code = Code.INVALID_VALUE

    def __init__(self, message: str, code: Code) -> None:
        super().__init__(message, code=code)

    @property
    def reason(self) -> Reason:
        return Reason(self.code, str(self))


@dataclass(frozen=True, order=True)
class Problem:
    """One broken rule: where (file and dotted key path), which rule, and its stable code."""

    file: str
    path: str
    rule: str
    code: Code

    def __post_init__(self) -> None:
        object.__setattr__(self, "code", Code.of(self.code))  # refuses a code that is not in the catalogue

    @classmethod
    def of(cls, file: str, path: str, reason: Reason) -> Problem:
        """The problem `reason` makes at `file`'s key `path`."""
        return cls(file, path, reason.text, reason.code)

    def __str__(self) -> str:
        # Paths hold keys the user wrote; rules quote values through `shown`, escaped again here in case.
        return (
            f"{printable(self.file, 300)}: {printable(self.path, 300)}: {printable(self.rule, 2000)}"
            f" [{self.code}]"
        )


class ProblemsError(EksHybridError):
    """Carries every problem found, so a user fixes them in one pass."""

    headline = "invalid input"
    code = Code.INVALID_INPUT

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(dict.fromkeys(problems))
        if not self.problems:
            raise ValueError(f"{type(self).__name__} needs at least one problem")
        super().__init__(self.render())

    def render(self, headline: str | None = None) -> str:
        """The problems under `headline` (the class's own by default: a command may say what it was doing)."""
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{headline or self.headline} ({count} {noun}):"]
        lines += [f"  - {problem}" for problem in self.problems[:MAX_SHOWN_PROBLEMS]]
        if count > MAX_SHOWN_PROBLEMS:
            lines.append(f"  ... and {count - MAX_SHOWN_PROBLEMS} more (fix these first, then plan again)")
        return "\n".join(lines)


class ConfigError(ProblemsError):
    """A stack file breaks a rule of the config contract."""

    headline = "invalid stack configuration"
    code = Code.INVALID_CONFIG


class PlanError(ProblemsError):
    """A valid config that cannot be planned against what it depends on (the hub's inventory)."""

    headline = "cannot plan this stack"
    code = Code.CANNOT_PLAN


class ArgumentsError(ProblemsError):
    """A component was given arguments that break a rule. Each problem's `file` names the component
    (`TransitGatewayHub 'edge'`) and its `path` the argument (`sites.dallas.pod_cidr`). Raised before the
    component declares anything when the value is known, or when an Output resolves (failing the
    deployment with the same message)."""

    headline = "invalid component arguments"
    code = Code.INVALID_ARGUMENTS


class PaletteError(EksHybridError):
    """Anything that went wrong talking to Palette."""

    code = Code.PALETTE_ERROR

    def add_context(self, text: str) -> None:
        """Append `text` to the message (e.g. how many attempts a retry made before giving up)."""
        self.args = (f"{self}{text}",)


class PaletteScopeError(PaletteError):
    """The API key works, but the configured project is not one it can see."""

    code = Code.PALETTE_SCOPE


class PaletteWaitError(PaletteError):
    """A wait stopped: the object reached a terminal bad state (with Palette's message), or time ran out."""

    code = Code.PALETTE_WAIT


class PaletteTransportError(PaletteError):
    """No usable HTTP response: the connection failed, timed out, or the overall deadline passed."""

    code = Code.PALETTE_TRANSPORT

    def __init__(self, message: str, *, method: str = "", path: str = "") -> None:
        self.method = method
        self.path = path
        where = f" ({method} {path})" if method else ""
        super().__init__(f"{message}{where}")


class PaletteStatusError(PaletteError):
    """Palette answered with an error status; carries its `{code, message, ref}` body (Palette's `code` as
    `palette_code`: `code` is eks-hybrid's, as on every error)."""

    code = Code.PALETTE_STATUS

    def __init__(
        self,
        status: int,
        palette_code: str,
        message: str,
        *,
        ref: str = "",
        method: str = "",
        path: str = "",
    ) -> None:
        self.status = status
        self.palette_code = palette_code
        self.message = message
        self.ref = ref
        self.method = method
        self.path = path
        ref_part = f" [ref {ref}]" if ref else ""
        where = f"{method} {path}: " if method else ""
        super().__init__(f"{where}{status} {palette_code}: {message}{ref_part}")


class PaletteAuthError(PaletteStatusError):
    """401, or 404 from the key check: Palette rejected the API key (never read as "resource gone")."""

    code = Code.PALETTE_AUTH


class PaletteForbiddenError(PaletteStatusError):
    """403: the key's user lacks a permission in the project (never read as "resource gone")."""

    code = Code.PALETTE_FORBIDDEN


class PaletteNotFoundError(PaletteStatusError):
    """404, code `ResourceNotFound`."""

    code = Code.PALETTE_NOT_FOUND


class PaletteConflictError(PaletteStatusError):
    """409, or a duplicate name the API reports as a client error."""

    code = Code.PALETTE_CONFLICT


class PaletteRateLimitedError(PaletteStatusError):
    """429 `TooManyRequests`, after the client's retries ran out."""

    code = Code.PALETTE_RATE_LIMITED


class PaletteValidationError(PaletteStatusError):
    """400: the request body did not match the API's definitions."""

    code = Code.PALETTE_VALIDATION
