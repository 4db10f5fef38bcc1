"""Palette's search filters (`v1SearchFilterItem`), as the cluster and edge host searches apply them."""

from __future__ import annotations

from typing import Any

from .errors import bad_request


def matches(have: list[Any] | None, item: dict[str, Any]) -> bool:
    """One search filter item (`v1SearchFilterItem`) against a property's values; an unknown property is
    a 400, as Palette's search schema has a fixed property list."""
    if have is None:
        raise bad_request(f"unknown search property '{item.get('property')}'", "InvalidSearchFilter")
    condition = item.get("condition") or {}
    if "bool" in condition:
        return any(h is bool((condition.get("bool") or {}).get("value")) for h in have)
    string = condition.get("string") or {}
    values = list((string.get("match") or {}).get("values") or [])
    have = [str(h) for h in have]
    operator = string.get("operator", "eq")
    if string.get("ignoreCase"):
        have, values = [h.lower() for h in have], [v.lower() for v in values]
    if operator == "contains":
        hit = any(v in h for h in have for v in values)
    elif operator == "beginsWith":
        hit = any(h.startswith(v) for h in have for v in values)
    else:
        hit = any(h in values for h in have)
    return hit != bool(string.get("negation"))
