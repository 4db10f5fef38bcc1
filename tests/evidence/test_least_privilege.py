"""Least privilege: every IAM policy document eks-hybrid generates, linted and scoped.

The documents are taken from what the stacks declare: the example hubs (IAM Roles Anywhere and SSM, with
and without the EKS Pod Identity credentials file) are planned and every IAM document in a resource's
inputs (role trust policies, inline role policies) is collected; the pure functions that build them are
called for every provider, partition and option as well.

Each document: `parliament` (AWS's own action, resource and condition-key definitions; its community
auditors too for role policies) finds nothing; no
statement allows a `*` action or uses NotAction/NotResource; every Allow names the cluster's own ARN, or
a resource AWS cannot narrow further, listed in `RESOURCE_STAR` with why and where AWS says so.

Trust policies have no Resource (the role itself is the resource); parliament wants one, so each trust
statement is linted with the role's ARN as its Resource, which is what IAM evaluates it against.
"""

from __future__ import annotations

import copy
import json
from itertools import product
from pathlib import Path
from typing import Any

import parliament
import pytest

from eks_hybrid.components.cluster import planning
from eks_hybrid.components.identity import policies
from eks_hybrid.planner import Planner

from ..conftest import copy_examples
from .conftest import record

SUITE = "least privilege"
ACCOUNT = "123456789012"

RESOURCE_STAR = {
    # action: why AWS requires `*`, and where it says so
    "ssm:DescribeInstanceInformation": (
        "has no resource type in the Service Authorization Reference (Systems Manager: actions, resources and"
        " condition keys), so it cannot be scoped by ARN; limited instead to requests made by managed"
        " instances (`ArnLike ssm:SourceInstanceARN`), as AWS's own e2e credentials template"
        " (aws/eks-hybrid test/e2e/credentials/cfn-templates/hybrid-cfn.yaml) and terraform-aws-eks#3620 do"
    ),
}
# parliament's definitions list ssm:SourceInstanceARN only for the SSM agent's own actions; AWS documents it
# as "the ARN of the managed instance from which the request is made", and AWS's e2e template conditions
# DescribeInstanceInformation on it. The one finding accepted, for that statement only.
KNOWN_FALSE_POSITIVES = {
    (
        "UNKNOWN_CONDITION_FOR_ACTION",
        "Unknown condition ssm:SourceInstanceARN for action ssm:DescribeInstanceInformation",
    )
}


def _documents_in(value: Any) -> list[dict[str, Any]]:
    """IAM documents anywhere in a resource's inputs (JSON text or a mapping with a Statement)."""
    if isinstance(value, str) and '"Statement"' in value:
        try:
            parsed = json.loads(value)
        except ValueError:
            return []
        return [parsed] if isinstance(parsed, dict) and "Statement" in parsed else []
    if isinstance(value, dict):
        if "Statement" in value and "Version" in value:
            return [value]
        return [doc for item in value.values() for doc in _documents_in(item)]
    if isinstance(value, list):
        return [doc for item in value for doc in _documents_in(item)]
    return []


def _variants(config: dict[str, Any]) -> None:
    # Pod Identity is refused while Palette manages the nodes (`credentials-file-with-palette`).
    config["eks-hybrid:credentials"]["enableCredentialsFile"] = True
    config.pop("eks-hybrid:palette", None)


@pytest.fixture(scope="module")
def declared(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, dict[str, Any]]]:
    """(where, document) for every IAM document the example hubs declare, with and without Pod Identity."""
    found: list[tuple[str, dict[str, Any]]] = []
    for pod_identity in (False, True):
        edits = {"example-hub": _variants, "example-hub-ssm": _variants} if pod_identity else {}
        stacks = copy_examples(tmp_path_factory.mktemp("iam"), edits)
        planner = Planner(stacks, offline_secrets=True)
        for hub in ("example-hub", "example-hub-ssm"):
            for resource in planner.plan(hub).run.resources:
                for key, value in resource.inputs.items():
                    for document in _documents_in(value):
                        found.append(
                            (
                                f"{hub}{' +podIdentity' if pod_identity else ''}: {resource.name}.{key}",
                                document,
                            )
                        )
    return found


def _generated() -> list[tuple[str, dict[str, Any]]]:
    """The pure builders, for every provider, partition and option."""
    found: list[tuple[str, dict[str, Any]]] = []
    for partition, region in (
        ("aws", "us-west-2"),
        ("aws-us-gov", "us-gov-west-1"),
        ("aws-cn", "cn-north-1"),
    ):
        cluster = f"arn:{partition}:eks:{region}:{ACCOUNT}:cluster/edge-prod"
        anchor = f"arn:{partition}:rolesanywhere:{region}:{ACCOUNT}:trust-anchor/0b1c2d3e"
        found.append((f"{partition} IRA trust", policies.iam_roles_anywhere_trust_policy(anchor)))
        found.append((f"{partition} SSM trust", policies.ssm_trust_policy(partition, region, ACCOUNT)))
        for provider, pod_identity in product(("iamRolesAnywhere", "ssm"), (False, True)):
            document = policies.node_policy(
                provider,
                cluster,
                partition=partition,
                region=region,
                account_id=ACCOUNT,
                pod_identity=pod_identity,
            )
            found.append((f"{partition} {provider} node policy (pod identity {pod_identity})", document))
    found.append(("cluster role trust", planning.cluster_trust_policy()))
    found.append(("node group role trust", planning.node_trust_policy()))
    return found


def _as_lintable(document: dict[str, Any]) -> dict[str, Any]:
    """A trust policy's statements get the role as their Resource (what IAM evaluates them against)."""
    document = copy.deepcopy(document)
    for statement in document["Statement"]:
        if "Principal" in statement and "Resource" not in statement:
            statement["Resource"] = f"arn:aws:iam::{ACCOUNT}:role/eks-hybrid-role"
    return document


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _check(where: str, document: dict[str, Any], cluster_arns: set[str], figures: dict[str, int]) -> None:
    # Community auditors too for role policies. A trust policy's sts:AssumeRole is what the community
    # CREDENTIALS_EXPOSURE auditor flags by design (it returns credentials: that is a trust policy's purpose),
    # so trust policies get parliament's standard auditors.
    trust = any("Principal" in statement for statement in document["Statement"])
    linted = parliament.analyze_policy_string(
        json.dumps(_as_lintable(document)), include_community_auditors=not trust
    )
    findings = {
        (f.issue, json.dumps(f.detail, sort_keys=True) if not isinstance(f.detail, str) else f.detail)
        for f in linted.findings
    }
    figures["parliament findings"] += len(findings - KNOWN_FALSE_POSITIVES)
    figures["parliament findings accepted as known false positives"] += len(findings & KNOWN_FALSE_POSITIVES)
    assert findings <= KNOWN_FALSE_POSITIVES, (where, findings)
    assert document["Version"] == "2012-10-17", where
    for statement in document["Statement"]:
        figures["statements"] += 1
        assert not {"NotAction", "NotResource", "NotPrincipal"} & set(statement), (where, statement)
        actions = _as_list(statement["Action"])
        assert all("*" not in action for action in actions), (where, statement)
        if "Principal" in statement:  # a trust policy: who may assume the role, no Resource
            figures["trust statements"] += 1
            continue
        resources = _as_list(statement["Resource"])
        if "*" in resources:
            assert resources == ["*"] and set(actions) <= set(RESOURCE_STAR), (where, statement)
            figures["Resource * (AWS allows nothing narrower, documented)"] += 1
            continue
        for resource in resources:
            scoped_to_cluster = resource in cluster_arns
            # Instance ids are not known in advance: the account's and region's managed instances, narrowed
            # by the tag every instance of this cluster's activation carries.
            tagged = (
                resource.endswith(":managed-instance/*")
                and set(statement["Condition"]["StringEquals"].values()) <= cluster_arns
            )
            assert scoped_to_cluster or tagged, (where, statement)


def test_every_declared_iam_document_is_linted_clean_and_scoped(
    declared: list[tuple[str, dict[str, Any]]],
) -> None:
    figures: dict[str, int] = dict.fromkeys(
        [
            "parliament findings",
            "parliament findings accepted as known false positives",
            "statements",
            "trust statements",
            "Resource * (AWS allows nothing narrower, documented)",
        ],
        0,
    )
    kinds = {"trust policies": 0, "role policies": 0}
    clusters = {
        str(s["Resource"])
        for _, d in declared
        for s in d["Statement"]
        if str(s.get("Resource", "")).startswith("arn:aws:eks:")
    }
    assert len(declared) >= 12 and clusters
    for where, document in declared:
        kinds[
            "trust policies" if any("Principal" in s for s in document["Statement"]) else "role policies"
        ] += 1
        _check(where, document, clusters, figures)
    record(
        SUITE,
        **{
            "declared documents linted": len(declared),
            **kinds,
            **{f"declared: {k}": v for k, v in figures.items()},
        },
    )


def test_every_generated_iam_document_is_linted_clean_and_scoped() -> None:
    figures: dict[str, int] = {
        "parliament findings": 0,
        "parliament findings accepted as known false positives": 0,
        "statements": 0,
        "trust statements": 0,
        "Resource * (AWS allows nothing narrower, documented)": 0,
    }
    documents = _generated()
    clusters = {
        f"arn:{p}:eks:{r}:{ACCOUNT}:cluster/edge-prod"
        for p, r in (("aws", "us-west-2"), ("aws-us-gov", "us-gov-west-1"), ("aws-cn", "cn-north-1"))
    }
    for where, document in documents:
        _check(where, document, clusters, figures)
    assert figures["Resource * (AWS allows nothing narrower, documented)"] == 6  # SSM node policies only
    record(
        SUITE,
        **{
            "generated documents linted": len(documents),
            **{f"generated: {k}": v for k, v in figures.items()},
        },
    )


def test_the_trust_policies_that_can_be_pinned_are_pinned() -> None:
    # Roles Anywhere only through our trust anchor, sessions named after the certificate; SSM only for this
    # account and region. EKS's and EC2's service roles take no source condition in AWS's own templates.
    ira = policies.iam_roles_anywhere_trust_policy("arn:aws:rolesanywhere:us-west-2:1:trust-anchor/x")
    assert all("aws:SourceArn" in json.dumps(s["Condition"]) for s in ira["Statement"])
    ssm = policies.ssm_trust_policy("aws", "us-west-2", ACCOUNT)
    assert ssm["Statement"][0]["Condition"]["StringEquals"]["aws:SourceAccount"] == ACCOUNT


def test_the_lint_finds_what_it_should(tmp_path: Path) -> None:
    # The suite's own premise: parliament and the checks above refuse a sloppy document.
    sloppy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "eks:*", "Resource": "*"}]}
    assert parliament.analyze_policy_string(json.dumps(sloppy)).findings
    with pytest.raises(AssertionError):
        _check(
            "sloppy",
            sloppy,
            set(),
            dict.fromkeys(["parliament findings", "statements"], 0)
            | {"parliament findings accepted as known false positives": 0},
        )
