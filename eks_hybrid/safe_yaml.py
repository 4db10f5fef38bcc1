"""Read a stack file's YAML as Pulumi reads it, within bounds, into plain JSON-like data.

Pulumi parses stack files with Go's `gopkg.in/yaml.v3`, so this reader follows it where PyYAML differs:

- scalars resolve by YAML 1.2's core schema, as yaml.v3 decodes into `interface{}`: `yes`, `on` and `no` stay
  text (only true/false are booleans), `0o17` is octal, and a date such as `2026-01-01` stays the text it
  is (yaml.v3 `decode.go`: "It looks like a timestamp but for backward compatibility reasons we set it as a
  string");
- UTF-8 (with or without a byte-order mark) and UTF-16 with a byte-order mark are read (YAML 1.2 §5.2);
  anything else is refused, saying what the file looks like.

And it refuses, with the key path and the line, whatever would make planning hang, blow up in memory or
fail later without naming a key: a recursive alias, aliases that expand past `MAX_NODES` values (a
"billion laughs" file of a few hundred bytes), nesting deeper than `MAX_DEPTH`, duplicate keys (yaml.v3
refuses them too: "mapping key ... already defined"), `!!binary`, `!!set`, `!!omap` and `!!pairs` values
(Pulumi config is text, numbers, booleans, lists and mappings), and numbers too long to be a config value.

No message ever quotes the file's lines: a stack file holds `secure:` ciphertext, and PyYAML's own
messages print the offending line. Messages give the line and column instead.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.error import Mark
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from eks_hybrid.components.codes import Code
from eks_hybrid.components.errors import EksHybridError, printable

__all__ = ["MAX_BYTES", "MAX_DEPTH", "MAX_NODES", "YamlRefusal", "load"]

MAX_BYTES = 4 * 1024 * 1024
"""A stack file larger than this is refused before it is parsed (a 15,000-site hub is about 1.5 MiB)."""
MAX_NODES = 250_000
"""Values (scalars, lists and mappings), counting every use of an alias, a file may expand to."""
MAX_DEPTH = 64
"""Lists and mappings nested inside each other, counting through aliases."""
MAX_NUMBER_DIGITS = 64

Loc = tuple[str | int, ...]
_CORE = "tag:yaml.org,2002:"
_REFUSED_TAGS = {
    f"{_CORE}binary": "a YAML !!binary value",
    f"{_CORE}set": "a YAML !!set",
    f"{_CORE}omap": "a YAML !!omap",
    f"{_CORE}pairs": "a YAML !!pairs",
}
_PLAIN_DATA = "Pulumi config holds text, numbers, booleans, lists and mappings"


class YamlRefusal(EksHybridError):
    """The file cannot be read as a stack file: `loc` is where (a key path, () for the whole file), `code`
    which rule it breaks."""

    code = Code.YAML_REFUSED

    def __init__(self, loc: Loc, rule: str, code: Code) -> None:
        self.loc = loc
        self.rule = rule
        super().__init__(rule, code=code)


# --- decoding ---------------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise YamlRefusal(
            (),
            "is UTF-32 text: save it as UTF-8 (Pulumi reads UTF-8 and UTF-16 stack files)",
            Code.YAML_ENCODING,
        )
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec)
            except UnicodeDecodeError as exc:
                raise YamlRefusal(
                    (), f"is not valid UTF-16 text (at byte {exc.start})", Code.YAML_ENCODING
                ) from None
    if b"\0" in data:
        raise YamlRefusal(
            (),
            "is not a text file: it holds NUL bytes (a binary file, or UTF-16 without a byte-order mark):"
            " a stack file is YAML saved as UTF-8",
            Code.YAML_ENCODING,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlRefusal(
            (),
            f"is not UTF-8 text: byte 0x{data[exc.start]:02X} on line {line} is not valid UTF-8 (a Latin-1"
            " or Windows-1252 file?): save it as UTF-8",
            Code.YAML_ENCODING,
        ) from None


# --- YAML 1.2 core schema, as yaml.v3 resolves plain scalars -----------------------------------------------


class _CoreResolver(BaseResolver):
    """Implicit tags of YAML 1.2's core schema (§10.3.2) plus merge keys, which yaml.v3 also reads."""


_IMPLICIT = (
    ("null", r"^(?:~|null|Null|NULL|)$", "~nN"),
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("int", r"^[-+]?(?:[0-9][0-9_]*|0o[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+)$", "-+0123456789"),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("merge", r"^<<$", "<"),
)
_SCALAR_PATTERNS = {f"{_CORE}{name}": re.compile(pattern) for name, pattern, _ in _IMPLICIT}
for _name, _pattern, _first in _IMPLICIT:
    _CoreResolver.add_implicit_resolver(f"{_CORE}{_name}", re.compile(_pattern), list(_first))
_CoreResolver.add_implicit_resolver(f"{_CORE}null", re.compile(r"^$"), [""])


class _Constructor(SafeConstructor):
    """Plain data only: core-schema scalars; any other tag (a local `!tag`) read as its node's kind."""

    def construct_core_int(self, node: ScalarNode) -> int:
        """Decimal, 0o, 0x and 0b, `_` as a separator (yaml.v3 `resolve.go` reads all of these)."""
        value = str(self.construct_scalar(node)).replace("_", "")
        sign = -1 if value.startswith("-") else 1
        digits = value.lstrip("+-")
        base = {"0o": 8, "0x": 16, "0b": 2}.get(digits[:2], 10)
        return sign * int(digits[2:] if base != 10 else digits, base)

    def construct_core_bool(self, node: ScalarNode) -> bool:
        return str(self.construct_scalar(node)).lower() == "true"

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Keys as the JSON text Pulumi hands a program (`1`, `true`, `null`): `1` and `true`, distinct
        keys to yaml.v3, would otherwise be one Python key."""
        self.flatten_mapping(node)  # merge keys (`<<: *base`): explicit keys after, so they win
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            text = key if isinstance(key, str) else json.dumps(key)
            mapping[text] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_by_kind(self, node: Node) -> Any:
        if isinstance(node, MappingNode):
            return self.construct_yaml_map(node)
        if isinstance(node, SequenceNode):
            return self.construct_yaml_seq(node)
        return self.construct_scalar(node)  # type: ignore[arg-type]


# (types-PyYAML types constructors as taking one of PyYAML's own loaders, hence the ignores.)
_Constructor.add_constructor(f"{_CORE}int", _Constructor.construct_core_int)  # type: ignore[type-var]
_Constructor.add_constructor(f"{_CORE}bool", _Constructor.construct_core_bool)  # type: ignore[type-var]
_Constructor.add_constructor(f"{_CORE}timestamp", SafeConstructor.construct_yaml_str)  # type: ignore[type-var]
_Constructor.add_constructor(None, _Constructor.construct_by_kind)  # type: ignore[type-var]


class _Bounded(Composer, _Constructor, _CoreResolver):
    """Composing with a node budget and a depth limit (the Composer recurses once per nesting level)."""

    def _start(self) -> None:
        Composer.__init__(self)
        _Constructor.__init__(self)
        _CoreResolver.__init__(self)
        self.nesting = 0
        self.composed = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        mark = self.peek_event().start_mark  # type: ignore[attr-defined]
        self.nesting += 1
        self.composed += 1
        if self.nesting > MAX_DEPTH:
            raise YamlRefusal(
                (),
                f"nests lists and mappings more than {MAX_DEPTH} deep ({_line(mark)})",
                Code.YAML_TOO_LARGE,
            )
        if self.composed > MAX_NODES:
            raise YamlRefusal((), f"holds more than {MAX_NODES} values ({_line(mark)})", Code.YAML_TOO_LARGE)
        try:
            return super().compose_node(parent, index)
        finally:
            self.nesting -= 1


class _PythonLoader(_Bounded, Reader, Scanner, Parser):
    def __init__(self, text: str) -> None:
        Reader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        self._start()


_Loader: type[_Bounded] = _PythonLoader
if yaml.__with_libyaml__:  # libyaml scans and parses about four times faster; composing stays ours
    from yaml._yaml import CParser

    class _LibyamlLoader(_Bounded, CParser):
        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            self._start()

    _Loader = _LibyamlLoader


# --- the node graph: aliases, duplicates and tags, before anything is built -------------------------------


def _line(at: Node | Mark) -> str:
    mark = at.start_mark if isinstance(at, Node) else at
    return f"line {mark.line + 1}"


def _children(node: Node, loc: Loc) -> Iterator[tuple[Node, Loc]]:
    if isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            yield item, (*loc, index)
    elif isinstance(node, MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, ScalarNode) else "?"
            yield key, (*loc, str(name))
            yield value, (*loc, str(name))


def _check(node: Node, loc: Loc) -> None:
    """One node's own rules: no refused tag, no overlong number, mapping keys scalar and unique."""
    what = _REFUSED_TAGS.get(node.tag)
    if what is not None:
        raise YamlRefusal(loc, f"holds {what} ({_line(node)}): {_PLAIN_DATA}", Code.YAML_TAG)
    if node.tag.startswith(f"{_CORE}python/"):
        raise YamlRefusal(loc, f"holds a Python object tag ({_line(node)}): {_PLAIN_DATA}", Code.YAML_TAG)
    pattern = _SCALAR_PATTERNS.get(node.tag)
    if isinstance(node, ScalarNode) and pattern is not None and not pattern.match(node.value):
        kind = node.tag.removeprefix(_CORE)
        raise YamlRefusal(loc, f"is tagged !!{kind} but is not a YAML {kind} ({_line(node)})", Code.YAML_TAG)
    number = isinstance(node, ScalarNode) and node.tag in (f"{_CORE}int", f"{_CORE}float")
    if number and len(node.value) > MAX_NUMBER_DIGITS:
        raise YamlRefusal(
            loc,
            f"holds a number of {len(node.value)} digits ({_line(node)}): quote it if it is text",
            Code.YAML_LONG_NUMBER,
        )
    if not isinstance(node, MappingNode):
        return
    seen: dict[str, Node] = {}
    for key, _ in node.value:
        if key.tag == f"{_CORE}merge":
            continue
        if not isinstance(key, ScalarNode):
            raise YamlRefusal(
                loc, f"has a list or mapping as a key ({_line(key)}): keys are text", Code.YAML_KEY_NOT_TEXT
            )
        if key.value in seen:
            raise YamlRefusal(
                (*loc, key.value),
                f"is given twice ({_line(seen[key.value])} and {_line(key)}): YAML keys are unique and"
                " Pulumi refuses the file; keep one",
                Code.YAML_DUPLICATE_KEY,
            )
        seen[key.value] = key


def _measure(root: Node) -> None:
    """Walk the node graph once (aliases are shared nodes), refusing cycles, blow-ups and deep nesting.

    Iterative, memoised by node: a few hundred bytes of aliases can stand for 10**9 values, so nothing here
    may expand them; sizes and depths add up per distinct node instead.
    """
    sizes: dict[int, tuple[int, int]] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, Loc, bool]] = [(root, (), False)]
    while stack:
        node, loc, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            measured = [sizes[id(child)] for child, _ in _children(node, loc)]
            size = 1 + sum(s for s, _ in measured)
            depth = 1 + max((d for _, d in measured), default=0)
            if size > MAX_NODES:
                raise YamlRefusal(
                    loc,
                    f"expands to more than {MAX_NODES} values through YAML aliases ({_line(node)}): write the"
                    " values out, or use fewer aliases",
                    Code.YAML_TOO_LARGE,
                )
            if depth > MAX_DEPTH:
                raise YamlRefusal(
                    loc,
                    f"nests lists and mappings more than {MAX_DEPTH} deep through aliases ({_line(node)})",
                    Code.YAML_TOO_LARGE,
                )
            sizes[key] = (size, depth)
            continue
        if key in sizes:
            continue
        _check(node, loc)
        on_path.add(key)
        stack.append((node, loc, True))
        for child, child_loc in reversed(list(_children(node, loc))):
            if id(child) in on_path:
                raise YamlRefusal(
                    child_loc,
                    f"is a YAML alias to a value that contains it ({_line(child)})",
                    Code.YAML_RECURSIVE_ALIAS,
                )
            if id(child) not in sizes:
                stack.append((child, child_loc, False))


# --- the one entry point ----------------------------------------------------------------------------------


_QUOTED = re.compile(r"'([^']*)'|\"([^\"]*)\"|`([^`]*)`")
# What PyYAML quotes from its own grammar: punctuation (`expected ',' or ']'`) and token names
# (`'<document start>'`); anything else it quotes (an alias, anchor or tag name, an escape) is the file's.
_GRAMMAR = re.compile(r"<[a-z ]+>|[^\w\s]{1,2}")


def _unquoting(words: str) -> str:
    """PyYAML's words with what they quote from the file shown as '…'."""

    def shown(match: re.Match[str]) -> str:
        inner = next(group for group in match.groups() if group is not None)
        return match.group(0) if _GRAMMAR.fullmatch(inner) else "'…'"

    return _QUOTED.sub(shown, words)


def _syntax_rule(exc: yaml.YAMLError) -> str:
    """PyYAML's message without the source excerpt it prints (which could show a secret), and without
    its context or problem words when they quote the file (`found undefined alias 'the-token'`)."""
    if isinstance(exc, yaml.MarkedYAMLError):
        parts = []
        if exc.context:
            where = f" (line {exc.context_mark.line + 1})" if exc.context_mark else ""
            parts.append(f"{_unquoting(exc.context)}{where}")
        if exc.problem:
            mark = exc.problem_mark
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            parts.append(f"{_unquoting(exc.problem)}{where}")
        return f"is not valid YAML: {printable(', '.join(parts) or type(exc).__name__, 300)}"
    if isinstance(exc, yaml.reader.ReaderError):
        return (
            "is not valid YAML: it holds a control character"
            " (YAML allows tabs, line breaks and printable characters only)"
        )
    return f"is not valid YAML ({type(exc).__name__})"


def load(data: bytes) -> Any:
    """The one YAML document in `data` as dicts, lists, text, numbers, booleans and None.

    Raises `YamlRefusal` for anything it will not read; never quotes the file's content.
    """
    if len(data) > MAX_BYTES:
        raise YamlRefusal(
            (), f"is {len(data)} bytes: a stack file is at most {MAX_BYTES} bytes", Code.YAML_TOO_LARGE
        )
    text = _decode(data)
    loader: _Bounded | None = None
    try:
        loader = _Loader(text)  # type: ignore[call-arg]
        root = loader.get_single_node()
        if root is None:
            return None
        _measure(root)
        return loader.construct_document(root)
    except yaml.YAMLError as exc:
        raise YamlRefusal((), _syntax_rule(exc), Code.YAML_SYNTAX) from None
    except (ValueError, RecursionError) as exc:  # a scalar that cannot be built: name the kind only
        raise YamlRefusal((), f"is not valid YAML ({type(exc).__name__})", Code.YAML_SYNTAX) from None
    finally:
        if loader is not None:
            loader.dispose()  # type: ignore[attr-defined]
