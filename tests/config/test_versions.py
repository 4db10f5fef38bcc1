"""The Kubernetes version table: data with dates and sources, refusals and warnings for a given date."""

from __future__ import annotations

from datetime import date

import pytest

from eks_hybrid.components.codes import Code
from eks_hybrid.components.domain import versions
from eks_hybrid.components.domain.versions import (
    KUBERNETES_VERSIONS,
    cilium_problem,
    creatable_versions,
    version_problem,
    version_warnings,
)

CHECKED = date(2026, 11, 29)


def test_the_table_is_ordered_and_every_row_is_consistent() -> None:
    numbers = [tuple(int(x) for x in row.version.split(".")) for row in KUBERNETES_VERSIONS]
    assert numbers == sorted(numbers)
    for row in KUBERNETES_VERSIONS:
        assert row.eks_release < row.end_of_standard_support < row.end_of_extended_support
        assert row.source
        # EKS: 14 months of standard support, then 12 of extended (26 in all), to the day in its calendar.
        assert (row.end_of_extended_support.year - row.end_of_standard_support.year) == 1
        assert row.end_of_extended_support.replace(year=row.end_of_standard_support.year) == (
            row.end_of_standard_support
        )


def test_rows_read_from_awss_calendar_say_so_and_the_others_name_their_source() -> None:
    confirmed = {row.version for row in KUBERNETES_VERSIONS if row.confirmed}
    assert confirmed == {"1.29", "1.30", "1.31", "1.32", "1.33", "1.34"}
    assert all(row.source == versions.EKS_CALENDAR for row in KUBERNETES_VERSIONS if row.confirmed)
    assert all(row.source != versions.EKS_CALENDAR for row in KUBERNETES_VERSIONS if not row.confirmed)


def test_what_eks_creates_on_the_day_the_table_was_checked() -> None:
    # 1.30 left extended support on 2026-07-23 and 1.31 on 2026-11-26: both refused on 2026-11-29.
    assert creatable_versions(CHECKED) == ["1.32", "1.33", "1.34", "1.35", "1.36"]
    assert creatable_versions(date(2026, 11, 25))[0] == "1.31"


@pytest.mark.parametrize(
    ("version", "today", "phrase"),
    [
        ("1.31", CHECKED, "left EKS extended support on 2026-11-26"),
        ("1.30", CHECKED, "left EKS extended support on 2026-07-23"),
        ("1.36", date(2026, 5, 1), "not released on EKS until 2026-06-02"),
        ("1.37", CHECKED, "not in eks-hybrid's EKS version table"),
    ],
)
def test_versions_eks_does_not_create_are_problems(version: str, today: date, phrase: str) -> None:
    problem = version_problem(version, today)
    assert problem is not None and phrase in problem.text
    assert problem.code.value.startswith("kubernetes-version-")


def test_warnings_within_60_days_of_either_end_of_support() -> None:
    # 1.34 leaves standard support on 2026-12-02, three days after the table was checked.
    [warning] = version_warnings("1.34", CHECKED)
    assert "end of EKS standard support on 2026-12-02 (in 3 days)" in warning
    assert "extended support (billed per cluster hour at EKS's extended support rate) starts" in warning
    # 1.32 leaves extended support on 2027-03-23: 60 days before is the first day of the warning.
    assert [w for w in version_warnings("1.32", date(2027, 1, 21)) if "extended support on" in w] == []
    [extended, last] = version_warnings("1.32", date(2027, 1, 22))
    assert "1.32 is past the end of EKS standard support" in extended
    assert "end of EKS extended support on 2027-03-23 (in 60 days)" in last
    assert "EKS stops creating it" in last
    assert version_warnings("1.35", CHECKED) == []
    assert version_warnings("1.31", CHECKED) == []  # refused, not warned about


@pytest.mark.parametrize("version", ["1.32", "1.33", "1.34"])
def test_every_day_in_extended_support_warns_of_its_cost(version: str) -> None:
    # On 2026-12-06 1.32, 1.33 and 1.34 are past standard support (AWS's calendar, kubernetes-versions):
    # EKS keeps them in extended support, at an additional cost per cluster hour, far from either end.
    [warning] = version_warnings(version, date(2026, 12, 6))
    row = versions.kubernetes_version(version)
    assert row is not None
    assert (
        f"Kubernetes {version} is past the end of EKS standard support ({row.end_of_standard_support}): the"
        f" cluster is in extended support, billed per cluster hour at EKS's extended support rate, until"
        f" {row.end_of_extended_support}"
    ) in warning
    assert "one minor version at a time, to a version in standard support (1.35, 1.36)" in warning


def test_the_extended_support_warning_starts_on_the_end_of_standard_support() -> None:
    # 1.34's standard support ends on 2026-12-02: the 60-day warning before, the extended one from that day.
    [before] = version_warnings("1.34", date(2026, 12, 1))
    assert "reaches the end of EKS standard support on 2026-12-02 (in 1 days)" in before
    [on] = version_warnings("1.34", date(2026, 12, 2))
    assert "1.34 is past the end of EKS standard support (2026-12-02)" in on
    # The last day of extended support still warns; the next day the version is refused instead.
    assert len(version_warnings("1.34", date(2027, 12, 1))) == 2
    assert version_warnings("1.34", date(2027, 12, 2)) == []
    assert version_warnings("1.35", date(2026, 12, 6)) == []


def test_every_version_supports_the_cilium_lines_aws_supports() -> None:
    assert all(row.cilium_lines == ("1.17", "1.18") for row in KUBERNETES_VERSIONS)
    assert cilium_problem("1.18.5-0", "1.35") is None
    assert cilium_problem("1.17.13-1", "1.33") is None
    problem = cilium_problem("1.16.6", "1.35")
    assert problem is not None and problem.code is Code.CILIUM_UNSUPPORTED
    assert "1.17.x, 1.18.x" in problem.text and "hybrid-nodes-cni" in problem.text
    assert cilium_problem("1.19.0", None) is not None
