"""The fleet page's content and verify's error text: one line per error body, one finding per repeated
failure (pure functions; `test_local_aws.py` runs them against real servers, `test_fleet_browser.py` renders
the page in Chromium)."""

from __future__ import annotations

import re

from eks_hybrid.verify.findings import (
    AREAS,
    SUMMARY_LIMIT,
    Finding,
    Status,
    collapse_repeats,
    error,
    exit_code,
    fail,
    ok,
    one_line,
    summary,
    warn,
)
from eks_hybrid.verify.fleet import (
    SITE_COLUMNS,
    StackHealth,
    fleet_exit_code,
    fleet_html,
    fleet_json,
    inline_svg,
)

NGINX_502 = (
    "An error occurred (502) when calling the DescribeCluster operation: <html>\r\n<head><title>502 Bad"
    " Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx"
    "</center>\r\n</body>\r\n</html>\r\n"
)


def test_an_html_error_page_becomes_its_title_on_one_line() -> None:
    assert one_line(NGINX_502) == (
        "An error occurred (502) when calling the DescribeCluster operation: HTML page: 502 Bad Gateway"
    )


def test_an_html_page_quoted_as_bytes_and_without_a_title_gives_its_heading() -> None:
    quoted = (
        "Unable to parse response, invalid XML received:\\nb'<!DOCTYPE html>\\n<body>"
        "<h1>Service &amp; Co down</h1>"
    )
    assert (
        one_line(quoted) == "Unable to parse response, invalid XML received: b' HTML page: Service & Co down"
    )


def test_a_text_body_is_one_line_and_cut_at_the_limit() -> None:
    text = "Internal Server Error\n\n" + "detail " * 100
    line = one_line(text)
    assert "\n" not in line and line.startswith("Internal Server Error detail")
    assert len(line) <= SUMMARY_LIMIT and line.endswith("detail…")
    assert one_line("  short\n text ") == "short text"


def _no_credentials(area: str, check: str) -> Finding:
    return error(area, check, "no AWS credentials found", "give credentials")


def test_a_failure_repeated_word_for_word_is_reported_once_with_its_count() -> None:
    items = [
        _no_credentials("routes", "VPC route tables"),
        _no_credentials("vpn", "VPN connections"),
        error("palette", "Palette", "no Palette API key", "export PALETTE_API_KEY"),
        _no_credentials("eks", "cluster edge-prod"),
        ok("kubernetes", "node a Ready", "Ready"),
    ]
    collapsed = collapse_repeats(items)
    assert [f.area for f in collapsed] == ["routes", "palette", "kubernetes"]
    first = collapsed[0]
    assert first.status is Status.error and first.check == "3 checks (routes, vpn, eks)"
    assert first.detail == (
        "no AWS credentials found (the same for all 3 checks: VPC route tables; VPN connections;"
        " cluster edge-prod)"
    )
    assert exit_code(collapsed) == exit_code(items)
    assert summary(collapsed)["error"] == 2


def test_different_failures_and_failed_checks_are_never_merged() -> None:
    items = [
        fail("routes", "rtb-1", "route table rtb-1 does not exist", "fix it"),
        fail("routes", "rtb-1", "route table rtb-1 does not exist", "fix it"),
        _no_credentials("routes", "VPC route tables"),
    ]
    assert collapse_repeats(items) == items


def _site(name: str, *found: Finding) -> StackHealth:
    return StackHealth(name, "site", "example-hub", tuple(found))


def fleet() -> list[StackHealth]:
    hub = StackHealth(
        "example-hub",
        "hub",
        None,
        (
            ok("eks", "cluster edge-prod", "ACTIVE"),
            fail(
                "routes", "rtb-1", "route table rtb-1 does not exist", "fix eks-hybrid:cluster.routeTableIds"
            ),
        ),
    )
    dallas = _site(
        "example-dallas",
        ok("routes", "rtb-1: 10.200.0.0/16 (dallas node)", "active"),
        warn("vpn", "dallas vpn-1 tunnels", "1 of 2 tunnels UP", "bring the tunnel <2> up & check UDP 500"),
        ok("kubernetes", "node dallas-01 Ready", "Ready"),
        ok("palette", "pool dallas-workers state", "Running, Healthy"),
    )
    chicago = StackHealth(
        "example-chicago",
        "site",
        "example-hub",
        problem="no outputs file out/example-chicago.json",
        remedy="pulumi stack output --json --stack example-chicago > out/example-chicago.json",
    )
    return [hub, dallas, chicago]


def test_the_page_has_a_row_per_site_with_its_failing_checks_and_remedies_and_the_hubs_checks() -> None:
    page = fleet_html(fleet(), topology_svg='<?xml version="1.0"?>\n<svg viewBox="0 0 10 10"></svg>')
    assert page.startswith("<!DOCTYPE html>")
    assert '<figure class="topology"><svg viewBox="0 0 10 10"></svg></figure>' in page
    rows = re.findall(r'<tr id="site-([^"]+)">(.*?)</tr>', page, re.DOTALL)
    assert [name for name, _ in rows] == ["example-dallas", "example-chicago"]
    dallas = dict(rows)["example-dallas"]
    assert "bring the tunnel &lt;2&gt; up &amp; check UDP 500" in dallas  # escaped
    assert dallas.count("<td>") == 2 + len(SITE_COLUMNS)
    assert "pulumi stack output --json --stack example-chicago" in dict(rows)["example-chicago"]
    hub = page[page.index('id="hub-example-hub"') :]
    assert "fix eks-hybrid:cluster.routeTableIds" in hub and "cluster edge-prod" in hub
    assert "exit status 1" in page


def test_the_page_fetches_nothing() -> None:
    page = fleet_html(fleet(), topology_svg=None, topology_note="Graphviz's dot is not installed")
    assert "No topology picture: Graphviz&#x27;s dot is not installed" in page
    assert not re.search(r"""(src|href)\s*=|url\(|@import|<script|<link""", page, re.IGNORECASE)


def test_every_area_is_in_one_site_column() -> None:
    counted = [area for _, areas in SITE_COLUMNS for area in areas]
    assert sorted(counted) == sorted(AREAS)


def test_the_fleet_exit_status_and_json() -> None:
    stacks = fleet()
    assert fleet_exit_code(stacks) == 1
    assert fleet_exit_code(stacks[1:]) == 2  # chicago could not be verified, dallas only warns
    assert fleet_exit_code([stacks[1]]) == 0
    document = fleet_json(stacks)
    assert document["exitCode"] == 1
    assert [s["stack"] for s in document["stacks"]] == ["example-hub", "example-dallas", "example-chicago"]
    assert document["stacks"][2]["problem"].startswith("no outputs file")


def test_an_svg_document_is_inlined_without_its_prolog() -> None:
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        "<!-- Generated by graphviz -->\n"
        '<svg width="8pt"><!-- g --><g/></svg>\n'
    )
    assert inline_svg(document) == '<svg width="8pt"><g/></svg>'
