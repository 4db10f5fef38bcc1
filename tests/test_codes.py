"""The code catalogue (`eks_hybrid.components.codes`): every code documented, used, and distinct from
pydantic's types; every error class coded; a problem without a catalogued code refused."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
import typing
import warnings
from pathlib import Path

import pytest
from pydantic_core import core_schema

import eks_hybrid
from eks_hybrid.components.codes import AREAS, Code, markdown_table
from eks_hybrid.components.config import messages
from eks_hybrid.components.errors import EksHybridError, Problem, Reason, RuleError

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [*ROOT.joinpath("components").rglob("*.py"), *ROOT.joinpath("eks_hybrid").rglob("*.py")]
PAGE = ROOT / "docs" / "reference" / "problem-codes.md"
SLUG = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


def test_every_code_is_a_distinct_kebab_case_slug_with_an_area_and_a_meaning():
    assert len(Code.__members__) == len(list(Code)), "two members share a slug (an Enum alias)"
    for code in Code:
        assert SLUG.fullmatch(code.value), code
        assert code.area in AREAS, code
        assert code.meaning.strip() and code.meaning.endswith("."), code


def test_every_code_is_used_in_the_source():
    text = "\n".join(p.read_text() for p in SOURCES if p.name != "codes.py")
    used = set(re.findall(r"\bCode\.([A-Z][A-Z0-9_]*)\b", text))
    assert set(Code.__members__) - used == set()


def test_no_code_spells_a_pydantic_error_type():
    """A validator raises `PydanticCustomError(code, ...)`; pydantic's own types are mapped: the two must
    never meet, or a pydantic error would pass for one of ours."""
    pydantic_types = set(typing.get_args(core_schema.ErrorType))
    assert "missing" in pydantic_types
    assert {code.value for code in Code} & pydantic_types == set()
    assert set(messages._PYDANTIC_CODES) <= pydantic_types


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("missing", Code.MISSING_KEY),
        ("extra_forbidden", Code.UNKNOWN_KEY),
        ("cidr-host-bits", Code.CIDR_HOST_BITS),
        ("url_parsing", Code.INVALID_VALUE),
    ],
)
def test_pydantic_types_and_our_own_map_to_codes(kind, code):
    assert messages.code_for(kind) is code


def _all_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(eks_hybrid.__path__, "eks_hybrid."):
        if not info.name.endswith("__main__"):
            names.append(info.name)
    return names


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def test_every_error_class_has_its_own_code():
    with warnings.catch_warnings():  # the deprecated alias modules warn on import; they define no error
        warnings.simplefilter("ignore", DeprecationWarning)
        for name in _all_modules():
            importlib.import_module(name)
    classes = _subclasses(EksHybridError) | {EksHybridError}
    assert len(classes) > 25
    for cls in classes:
        if cls.__module__.startswith("eks_hybrid"):
            assert "code" in vars(cls), f"{cls.__module__}.{cls.__qualname__} sets no code of its own"
            assert isinstance(vars(cls)["code"], Code)


def test_errors_users_catch_as_value_errors_still_are():
    from eks_hybrid.components.domain.cidrs import CidrRuleError
    from eks_hybrid.components.onprem.edgeforge import EdgeForgeError
    from eks_hybrid.components.onprem.userdata import UserDataError
    from eks_hybrid.components.palette.packs import PackResolutionError

    for cls in (CidrRuleError, EdgeForgeError, UserDataError, PackResolutionError, RuleError):
        assert issubclass(cls, EksHybridError) and issubclass(cls, ValueError), cls


def test_an_instance_may_carry_a_more_specific_code():
    from eks_hybrid.components.onprem.userdata import parse_user_data

    with pytest.raises(ValueError) as info:
        parse_user_data("- a list")
    assert info.value.code is Code.USER_DATA_NOT_MAPPING  # type: ignore[attr-defined]
    assert EksHybridError("x").code is Code.ERROR
    assert EksHybridError("x", code=Code.USAGE).code is Code.USAGE


def test_a_problem_without_a_catalogued_code_is_refused():
    with pytest.raises(ValueError, match="not in eks-hybrid's code catalogue"):
        Problem("Pulumi.x.yaml", "eks-hybrid:site", "rule", "no-such-code")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Reason("eks_hybrid_rule", "rule")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        RuleError("rule", "Not A Code")  # type: ignore[arg-type]
    problem = Problem("Pulumi.x.yaml", "eks-hybrid:site", "rule", "unknown-key")  # type: ignore[arg-type]
    assert problem.code is Code.UNKNOWN_KEY


def test_a_problem_reads_as_file_path_rule_and_code():
    problem = Problem("Pulumi.dev.yaml", "eks-hybrid:cluster.serviceCidr", "is bad", Code.CIDR_PREFIX)
    assert str(problem) == "Pulumi.dev.yaml: eks-hybrid:cluster.serviceCidr: is bad [cidr-prefix]"
    assert Problem.of("f", "p", Reason(Code.NOT_A_CIDR, "x")) == Problem("f", "p", "x", Code.NOT_A_CIDR)


def test_the_reference_page_is_current():
    assert PAGE.read_text() == markdown_table(), (
        "regenerate it: python -m eks_hybrid.components.codes --markdown > docs/reference/problem-codes.md"
    )
    for code in Code:
        assert f"| `{code.value}` |" in PAGE.read_text()


def test_the_module_prints_the_page():
    done = subprocess.run(
        [sys.executable, "-m", "eks_hybrid.components.codes", "--markdown"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout == PAGE.read_text()
    refused = subprocess.run([sys.executable, "-m", "eks_hybrid.components.codes"], capture_output=True)
    assert refused.returncode == 2


def test_the_catalogue_imports_no_pulumi():
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, eks_hybrid.components.codes, eks_hybrid.components.errors;"
            " print(any(m.split('.')[0] == 'pulumi' for m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"


def test_pure_check_helpers_return_reasons():
    """`*_problem` helpers give a `Reason` (code and words), never bare text a caller must code itself."""
    from eks_hybrid.components import _inputs
    from eks_hybrid.components.domain import cidrs, cluster_rules, fields, versions

    for helper in (
        cluster_rules.public_endpoint_problem,
        cluster_rules.authentication_mode_problem,
        cidrs.public_ipv4_problem,
        fields.asn_problem,
        fields.reserved_asn_problem,
        versions.version_problem,
        versions.cilium_problem,
        _inputs.customer_asn,
        _inputs.amazon_side_asn,
        _inputs.positive_int,
    ):
        annotation = inspect.signature(helper).return_annotation
        assert "Reason" in str(annotation), helper
