"""`verify` against a local AWS, as docs/guides/verify.md's recipe runs it: a real moto server on 127.0.0.1
(moto's `ThreadedMotoServer`, what `moto_server` runs), `AWS_ENDPOINT_URL` pointing at it, the outputs files
written by `eks-hybrid plan --outputs-dir`, and the `eks-hybrid` command run as a process. Then the fleet page
(`verify --all --format html`) rendered by a real headless Chromium for its content and its layout.

The example stacks' planned resources do not exist in a fresh moto, so their checks fail with their remedies;
moto implements no IAM Roles Anywhere API and answers it with an HTML 500 page, which verify summarises.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

from ..conftest import REPO

pytestmark = pytest.mark.slow

EKS_HYBRID = str(Path(sys.executable).with_name("eks-hybrid"))
NO_PALETTE_OR_CLUSTER = ["--skip", "palette", "--skip", "kubernetes"]
WIDTH = 1280


def _clean_environment(tmp: Path) -> dict[str, str]:
    """This process's environment without any AWS or Pulumi setting, and no shared AWS files."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PULUMI_", "EKS_HYBRID_"))}
    env |= {
        "AWS_CONFIG_FILE": str(tmp / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp / "no-aws-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_COLOR": "1",
        "COLUMNS": "200",
    }
    return env


@pytest.fixture(scope="module")
def local_aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The recipe's environment: moto listening on 127.0.0.1, AWS_ENDPOINT_URL and dummy keys."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = _clean_environment(tmp_path_factory.mktemp("aws"))
    env |= {
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    try:
        yield env
    finally:
        server.stop()


@pytest.fixture(scope="module")
def outputs_dir(tmp_path_factory: pytest.TempPathFactory, local_aws: dict[str, str]) -> Path:
    """The recipe's outputs files, written by a command: every example stack's planned outputs."""
    directory = tmp_path_factory.mktemp("outputs")
    done = _run(
        ["plan", "--all", "--offline-secrets", "--format", "json", "--outputs-dir", str(directory)], local_aws
    )
    assert done.returncode == 0, done.stderr
    return directory


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EKS_HYBRID, *args], cwd=REPO, env=env, capture_output=True, text=True, check=False, timeout=240
    )


def test_plan_writes_each_stacks_outputs_as_pulumi_stack_output_prints_them(outputs_dir: Path) -> None:
    names = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in (REPO / "stacks").glob("Pulumi.*.yaml"))
    assert sorted(p.stem for p in outputs_dir.glob("*.json")) == names
    dallas = json.loads((outputs_dir / "example-dallas.json").read_text())
    assert dallas["site"] == "dallas" and dallas["tunnelPresharedKeys"] == "[secret]"


def test_the_recipe_reaches_the_local_aws_and_reports_what_is_missing(
    local_aws: dict[str, str], outputs_dir: Path
) -> None:
    done = _run(
        [
            "verify",
            "--stack",
            "example-dallas",
            "--outputs",
            str(outputs_dir / "example-dallas.json"),
            "--hub-outputs",
            str(outputs_dir / "example-hub.json"),
            *NO_PALETTE_OR_CLUSTER,
            "--format",
            "json",
        ],
        local_aws,
    )
    report = json.loads(done.stdout)
    assert (done.returncode, report["exitCode"]) == (1, 1), done.stderr
    statuses = {(c["area"], c["status"]) for c in report["checks"]}
    # moto answered every call: the planned VPN and route tables are not there (failures), none unreachable.
    assert statuses == {("routes", "fail"), ("transit-gateway", "fail"), ("vpn", "fail")}
    vpn = next(c for c in report["checks"] if c["area"] == "vpn")
    assert vpn["detail"] == "VPN connection vpn-5368bb46858a20ea4 does not exist"


def test_an_html_error_page_is_summarised_on_one_line(local_aws: dict[str, str], outputs_dir: Path) -> None:
    done = _run(
        [
            "verify",
            "--stack",
            "example-hub",
            "--outputs",
            str(outputs_dir / "example-hub.json"),
            *NO_PALETTE_OR_CLUSTER,
            "--skip",
            "routes",
            "--skip",
            "transit-gateway",
            "--skip",
            "eks",
            "--skip",
            "quotas",
            "--format",
            "json",
        ],
        local_aws,
    )
    report = json.loads(done.stdout)
    [identity] = report["checks"]
    assert identity["status"] == "error" and done.returncode == 2
    assert identity["detail"] == (
        "AWS answered with a server error: An error occurred (500) when calling the GetTrustAnchor operation"
        " (reached max retries: 5): HTML page: 500 Internal Server Error"
    )
    assert f"$AWS_ENDPOINT_URL is {local_aws['AWS_ENDPOINT_URL']}" in identity["remedy"]
    assert "--skip identity" in identity["remedy"]


def test_no_credentials_is_reported_once_with_the_count(tmp_path: Path, outputs_dir: Path) -> None:
    args = ["verify", "--stack", "example-hub", "--outputs", str(outputs_dir / "example-hub.json")]
    done = _run([*args, *NO_PALETTE_OR_CLUSTER, "--format", "json"], _clean_environment(tmp_path))
    assert done.returncode == 2, done.stderr
    [finding] = json.loads(done.stdout)["checks"]
    assert finding["status"] == "error"
    assert finding["check"] == "6 checks (routes, transit-gateway, eks, identity, quotas)"
    assert finding["detail"] == (
        "no AWS credentials found (the same for all 6 checks: VPC route tables; transit gateway route table;"
        " cluster edge-prod; cloud nodes' DNS security group; node identity; quotas)"
    )
    table = _run([*args, *NO_PALETTE_OR_CLUSTER], _clean_environment(tmp_path))
    assert table.stdout.count("no AWS credentials found") == 1, table.stdout
    assert "0 ok, 0 warning(s), 0 failed, 1 could not be checked" in table.stdout


# --- the fleet page in a real browser ----------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium; .ci/packages)"
)
_MEASURE = """<script>
const root = document.documentElement;
document.body.dataset.scrollWidth = root.scrollWidth;
document.body.dataset.clientWidth = root.clientWidth;
document.body.dataset.overflowing = [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > root.clientWidth + 1).length;
</script>"""


@pytest.fixture(scope="module")
def fleet_page(
    local_aws: dict[str, str], outputs_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    done = _run(
        ["verify", "--all", "--outputs-dir", str(outputs_dir), *NO_PALETTE_OR_CLUSTER, "--format", "html"],
        local_aws,
    )
    assert done.returncode == 1, done.stderr
    page = tmp_path_factory.mktemp("fleet") / "fleet.html"
    page.write_text(done.stdout)
    return page


def _chromium(*args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--host-resolver-rules=MAP * ~NOTFOUND",  # offline: the page must need nothing from a network
        f"--window-size={WIDTH},2400",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)


def _dump_dom(page: Path) -> str:
    done = _chromium("--dump-dom", page.as_uri())
    assert done.returncode == 0, done.stderr
    return done.stdout


def _body_data(dom: str) -> dict[str, Any]:
    body = re.search(r"<body([^>]*)>", dom)
    assert body is not None
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', body.group(1)))


@needs_chromium
def test_the_fleet_page_shows_every_site_and_a_failing_checks_remedy(fleet_page: Path) -> None:
    dom = _dump_dom(fleet_page)
    sites = re.findall(r'<tr id="site-([^"]+)">', dom)
    assert sites == ["example-austin", "example-chicago", "example-dallas", "example-denver"]
    dallas = re.search(r'<tr id="site-example-dallas">(.*?)</tr>', dom, re.DOTALL)
    assert dallas is not None
    assert "VPN connection vpn-5368bb46858a20ea4 does not exist" in dallas.group(1)
    assert "site dallas's stack declares it: `pulumi refresh` and `pulumi up` the site" in dallas.group(1)
    for hub in ("example-hub", "example-hub-ssm"):
        assert f'id="hub-{hub}"' in dom
    assert "<svg" in dom and "site dallas" in dom  # the topology, drawn inline
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", fleet_page.read_text(), re.IGNORECASE)


@needs_chromium
def test_the_fleet_page_fits_1280_pixels_and_its_screenshot_is_kept(fleet_page: Path, tmp_path: Path) -> None:
    measured = tmp_path / "measured.html"
    measured.write_text(fleet_page.read_text().replace("</body>", _MEASURE + "</body>"))
    data = _body_data(_dump_dom(measured))
    assert int(data["client-width"]) <= WIDTH
    assert int(data["scroll-width"]) <= int(data["client-width"]), data
    assert data["overflowing"] == "0", data

    screenshot = tmp_path / "fleet.png"
    done = _chromium(f"--screenshot={screenshot}", fleet_page.as_uri())
    assert done.returncode == 0 and screenshot.is_file(), done.stderr
    header = screenshot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (WIDTH, 2400)
    assert screenshot.stat().st_size > 50_000  # a drawn page, not a blank one
    print(f"fleet page screenshot: {screenshot}")
