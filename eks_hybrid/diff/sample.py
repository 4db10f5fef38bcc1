"""The documentation's sample pull request comment, generated from the example stacks (never written by hand).

The "pull request" adds a site `reno` to the edge-prod hub (its own stack, a Site-to-Site VPN on the
shared VGW), a third host to dallas's pool, and a site `boise` to the edge-lab hub, whose pod CIDR lands in
the middle of Cilium's cluster-pool list: the dangerous change a reviewer must catch.

`python -m eks_hybrid.diff.sample` rewrites the block between the markers of docs/guides/pr-review.md (or of
the Markdown file it is given); tests/diff/test_sample.py fails when that copy is stale.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

from .format import to_markdown
from .report import compare
from .sources import plan_directory

START = "<!-- sample-pr-comment:start -->"
END = "<!-- sample-pr-comment:end -->"


def _edit(stacks: Path, name: str, change: Any) -> None:
    path = stacks / f"Pulumi.{name}.yaml"
    document = yaml.safe_load(path.read_text())
    change(document["config"])
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def reno_site(chicago: dict[str, Any]) -> dict[str, Any]:
    """A site `reno` made from chicago's stack config: a VPN on the edge-prod hub's VGW, one pool."""
    site = chicago["eks-hybrid:site"]
    site["name"] = "reno"
    site["connectivity"]["siteToSiteVpn"]["customerGateway"] = {"ipAddress": "198.51.100.40", "bgpAsn": 65040}
    site["nodePools"] = [
        {
            "name": "reno-workers",
            "architecture": "amd64",
            "edgeHosts": [{"uid": "edge-4e5f6a01", "name": "reno-01"}],
            "labels": {"site": "reno"},
        }
    ]
    return chicago


def pull_request(stacks: Path) -> None:
    """Apply the sample pull request's changes to a copy of the example stacks."""
    _edit(
        stacks,
        "example-hub",
        lambda c: c["eks-hybrid:sites"].update(
            {"reno": {"nodeCidr": "10.203.0.0/16", "podCidr": "172.17.0.0/16", "routeVia": "site"}}
        ),
    )
    chicago = yaml.safe_load((stacks / "Pulumi.example-chicago.yaml").read_text())["config"]
    (stacks / "Pulumi.example-reno.yaml").write_text(
        yaml.safe_dump({"config": reno_site(chicago)}, sort_keys=False)
    )
    _edit(
        stacks,
        "example-dallas",
        lambda c: c["eks-hybrid:site"]["nodePools"][0]["edgeHosts"].append(
            {"uid": "edge-8f3a2b1e", "name": "dallas-03"}
        ),
    )

    def boise(config: dict[str, Any]) -> None:
        sites = config["eks-hybrid:sites"]
        config["eks-hybrid:sites"] = {
            "austin": sites["austin"],
            "boise": {
                "nodeCidr": "10.62.0.0/16",
                "podCidr": "172.25.0.0/16",
                "bgpPeer": {"address": "10.62.0.1", "asn": 65032},
            },
            **{k: v for k, v in sites.items() if k != "austin"},
        }

    _edit(stacks, "example-hub-ssm", boise)


def sample_comment(stacks_dir: Path) -> str:
    with tempfile.TemporaryDirectory(prefix="eks-hybrid-sample-") as tmp:
        head = Path(tmp) / "stacks"
        shutil.copytree(stacks_dir, head)
        pull_request(head)
        report = compare(plan_directory(stacks_dir, label="main"), plan_directory(head, label="pull request"))
    return to_markdown(report)


def embed(document: str, comment: str) -> str:
    """`document` with the text between START and END replaced by `comment`'s Markdown source, fenced (the
    comment holds ``` fences of its own, never four backticks)."""
    before, rest = document.split(START, 1)
    _, after = rest.split(END, 1)
    if "````" in comment:
        raise ValueError("the comment holds a four-backtick fence: widen the sample's fence")
    return before + f"{START}\n````markdown\n{comment.rstrip()}\n````\n{END}" + after


def main(argv: list[str]) -> int:
    page = Path(argv[0]) if argv else Path("docs/guides/pr-review.md")
    stacks = Path("stacks")  # run from the repository root, as the page path is
    page.write_text(embed(page.read_text(), sample_comment(stacks)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
