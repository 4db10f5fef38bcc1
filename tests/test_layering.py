"""The library's layers, read from the source (no module is imported): which package may import which.

From the bottom: `codes`, the catalogue of stable problem codes; `errors`; `domain`, the facts every layer
shares, each written once; the helpers every component uses; the areas (`network`, `cluster`, `cni`, ...),
which import the helpers, `domain` and each other; `config`, the stack-file contract, which builds the
areas' Args from stack files; `composition`, the stack-file programs, on top. So no area imports the
stack-file contract, and a default or allowed value that both need lives in `domain`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

COMPONENTS = Path(__file__).resolve().parents[1] / "components"

HELPERS = {
    "_tokens",
    "_inputs",
    "_sdk_private",
    "_aliases",
    "_deprecated",
    "ownership",
    "sites",
    "verify_names",
}
AREAS = {"network", "cluster", "cni", "identity", "palette", "nodeconfig", "onprem", "postdeploy"}
# Modules kept for one minor version at a path that moved (they import their new home).
DEPRECATED_MODULES = {"stack_args", "eks_hub"}

LAYER_OF = {
    "codes": "codes",
    "errors": "errors",
    "domain": "domain",
    **dict.fromkeys(HELPERS, "helpers"),
    **dict.fromkeys(AREAS, "areas"),
    "config": "config",
    "composition": "composition",
    **dict.fromkeys(DEPRECATED_MODULES, "deprecated"),
}
MAY_IMPORT = {
    "codes": {"codes"},
    "errors": {"codes", "errors"},
    "domain": {"codes", "errors", "domain"},
    "helpers": {"codes", "errors", "domain", "helpers"},
    "areas": {"codes", "errors", "domain", "helpers", "areas"},
    "config": {"codes", "errors", "domain", "helpers", "areas", "config"},
    "composition": {"codes", "errors", "domain", "helpers", "areas", "config", "composition"},
    "deprecated": {"helpers", "config"},
}
# Packages that still hand out names they no longer export (`_deprecated.moved`), until 0.4.0, and where from.
DEPRECATED_NAMES = {
    "network": "eks_hybrid.components.config._site_checks",
    "cluster": "eks_hybrid.components.cluster.",
    "cni": "eks_hybrid.components.cni.",
}


def _module(path: Path) -> list[str]:
    parts = list(path.relative_to(COMPONENTS).with_suffix("").parts)
    return parts[:-1] if parts[-1] == "__init__" else parts


def _imports(path: Path, source: str | None = None) -> list[tuple[int, list[str]]]:
    """(line, the imported module's parts under `components`) of every import of the library in `path`."""
    here = _module(path)
    package = here if path.name == "__init__.py" else here[:-1]
    found: list[tuple[int, list[str]]] = []
    text = path.read_text() if source is None else source
    for node in ast.walk(ast.parse(text, str(path))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            if node.module:
                found.append((node.lineno, [*base, *node.module.split(".")]))
            else:  # `from . import cidrs`, `from .. import errors`
                found += [(node.lineno, [*base, alias.name]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom | ast.Import):
            if isinstance(node, ast.ImportFrom):  # `from eks_hybrid.components import cni` names the module
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                names = [alias.name for alias in node.names]
            for name in names:
                for prefix in ("eks_hybrid.components", "components"):
                    if name.startswith(prefix + "."):
                        found.append((node.lineno, name.removeprefix(prefix + ".").split(".")))
                        break
    return [(line, [part for part in parts if part]) for line, parts in found]


def _layer(parts: list[str]) -> str | None:
    return LAYER_OF.get(parts[0]) if parts else None


SOURCES = sorted(p for p in COMPONENTS.rglob("*.py") if "__pycache__" not in p.parts)


def test_every_module_is_in_a_layer():
    unplaced = sorted(
        str(p.relative_to(COMPONENTS)) for p in SOURCES if _module(p) and _layer(_module(p)) is None
    )
    assert unplaced == [], f"add these to a layer in tests/test_layering.py: {unplaced}"


def _offending(path: Path, source: str | None = None) -> list[str]:
    """Each import of `path` its layer may not make, as `file:line imports ... (layer), which ... may not`."""
    here = _module(path)
    layer = _layer(here)
    if layer is None:  # the package's own `__init__`
        return []
    return [
        f"{path.relative_to(COMPONENTS.parent)}:{line} imports components.{'.'.join(parts)}"
        f" ({_layer(parts) or 'outside every layer'}), which the {layer} layer ({'.'.join(here)}) may not"
        for line, parts in _imports(path, source)
        if _layer(parts) not in MAY_IMPORT[layer]
    ]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(COMPONENTS)))
def test_a_module_imports_only_its_own_and_lower_layers(path: Path):
    offending = _offending(path)
    assert offending == [], "\n".join(offending)


def test_the_domain_imports_nothing_of_the_library_but_errors_and_codes():
    for path in (COMPONENTS / "domain").rglob("*.py"):
        assert {parts[0] for _, parts in _imports(path)} <= {"codes", "errors", "domain"}, path


def test_the_codes_catalogue_imports_nothing_of_the_library():
    assert _imports(COMPONENTS / "codes.py") == []


def test_deprecated_names_from_a_higher_layer_are_only_the_listed_ones():
    """`_deprecated.moved` imports by name when an old name is read: the only way around the graph above,
    so every package using it is listed (and the list goes with the aliases in 0.4.0)."""
    users = {
        ".".join(_module(p)) for p in SOURCES if "moved(" in p.read_text() and p.name != "_deprecated.py"
    }
    assert users == set(DEPRECATED_NAMES)
    for package, target in DEPRECATED_NAMES.items():
        assert target in (COMPONENTS / package / "__init__.py").read_text()


def test_the_check_names_the_offending_import():
    """A bad import is reported with its file, line and both layers, however it is written."""
    probe = COMPONENTS / "cluster" / "probe.py"
    source = (
        "import json\n\nfrom ..config.hub import HubConfig\nfrom eks_hybrid.components import composition\n"
    )
    assert _offending(probe, source) == [
        "components/cluster/probe.py:3 imports components.config.hub (config), which the areas layer"
        " (cluster.probe) may not",
        "components/cluster/probe.py:4 imports components.composition (composition), which the areas layer"
        " (cluster.probe) may not",
    ]
    assert _offending(COMPONENTS / "domain" / "probe.py", "from ..cluster import planning\n") != []
    assert _offending(probe, "from ..domain import defaults\nfrom ..network import planning\n") == []
