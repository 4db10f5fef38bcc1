"""Property-level differences between two JSON values, down to nested keys and list elements.

Strings that hold JSON or YAML documents (IAM policies, a kubeconfig, a manifest) are compared as the
documents they hold. Lists are aligned first (difflib's matching blocks), so an element inserted in the
middle reads as one insertion, not as every later element changed. Secrets are "[secret]" on both sides
and compare equal: a plan never sees their values, only whether one is set.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

import yaml

SECRET = "[secret]"
Kind = Literal["added", "removed", "changed"]
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Change:
    """One difference: `path` is dotted keys and `[index]`es (`values.ipam.operator.cidrs[1]`)."""

    path: str
    kind: Kind
    old: Any = MISSING
    new: Any = MISSING

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"path": self.path, "kind": self.kind}
        if self.old is not MISSING:
            document["old"] = self.old
        if self.new is not MISSING:
            document["new"] = self.new
        return document


def key_path(parent: str, key: str) -> str:
    part = key if _PLAIN_KEY.match(key) else json.dumps(key)
    if not parent:
        return part if _PLAIN_KEY.match(key) else f"[{part}]"
    return f"{parent}.{part}" if _PLAIN_KEY.match(key) else f"{parent}[{part}]"


def strip_indexes(path: str) -> str:
    """`spec.ipv4.cidrs[2]` -> `spec.ipv4.cidrs`: the property a change belongs to."""
    return re.sub(r"\[\d+\]", "", path)


def as_document(value: Any) -> Any:
    """A string holding a JSON object/array or a YAML mapping (or documents) -> that structure; else as is."""
    if not isinstance(value, str) or value == SECRET:
        return value
    text = value.strip()
    if text[:1] in "{[":
        try:
            return json.loads(text)
        except ValueError:
            return value
    if "\n" in text and ":" in text:
        try:
            documents = [d for d in yaml.safe_load_all(text) if d is not None]
        except yaml.YAMLError:
            return value
        if documents and all(isinstance(d, dict | list) for d in documents):
            return documents[0] if len(documents) == 1 else documents
    return value


def diff_values(old: Any, new: Any, path: str = "") -> list[Change]:
    """Every difference between `old` and `new`, most specific first-level paths, never truncated."""
    if old is MISSING and new is MISSING:
        return []
    if old is MISSING:
        return [Change(path, "added", new=new)]
    if new is MISSING:
        return [Change(path, "removed", old=old)]
    if old == new:
        return []
    old_doc, new_doc = as_document(old), as_document(new)
    if isinstance(old_doc, dict) and isinstance(new_doc, dict):
        return _diff_dicts(old_doc, new_doc, path)
    if isinstance(old_doc, list) and isinstance(new_doc, list):
        return _diff_lists(old_doc, new_doc, path)
    return [Change(path, "changed", old=old, new=new)]


def _diff_dicts(old: dict[str, Any], new: dict[str, Any], path: str) -> list[Change]:
    changes: list[Change] = []
    for key in sorted(set(old) | set(new)):
        changes += diff_values(old.get(key, MISSING), new.get(key, MISSING), key_path(path, str(key)))
    return changes


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _diff_lists(old: list[Any], new: list[Any], path: str) -> list[Change]:
    matcher = difflib.SequenceMatcher(
        a=[_canonical(v) for v in old], b=[_canonical(v) for v in new], autojunk=False
    )
    changes: list[Change] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for offset in range(paired):
            changes += diff_values(old[i1 + offset], new[j1 + offset], f"{path}[{j1 + offset}]")
        for index in range(i1 + paired, i2):
            changes.append(Change(f"{path}[{index}]", "removed", old=old[index]))
        for index in range(j1 + paired, j2):
            changes.append(Change(f"{path}[{index}]", "added", new=new[index]))
    return changes


def is_reordering_or_removal(old: list[Any], new: list[Any]) -> bool:
    """True unless `new` is `old` with elements appended (the only safe edit of an ordered pool)."""
    return new[: len(old)] != old
