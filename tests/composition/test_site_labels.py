"""The site label eks-hybrid merges into every pool of a site stack, whatever the user's labels."""

from __future__ import annotations

import pytest

from eks_hybrid.components.composition.site import labelled_pools
from eks_hybrid.components.config import SiteConfig
from eks_hybrid.components.errors import PlanError
from tests.config.builders import site_doc


def site_config(labels: dict[str, str]) -> SiteConfig:
    document = site_doc()
    document["eks-hybrid:site"]["nodePools"][0]["labels"] = labels
    # Built without validate_stack, as a program importing the components might: the config rule that
    # refuses a conflicting label is not run, so the composition must refuse it itself.
    return SiteConfig.model_validate(document)


def test_every_pool_gets_the_site_label_beside_the_users_labels() -> None:
    pools = labelled_pools(site_config({"team": "edge"}), "stacks/Pulumi.test.yaml")
    assert [pool.labels for pool in pools] == [
        {"team": "edge", "eks-hybrid/site": "dallas"},
        {"eks-hybrid/site": "dallas"},
    ]


def test_a_conflicting_site_label_is_refused() -> None:
    with pytest.raises(PlanError) as caught:
        labelled_pools(site_config({"eks-hybrid/site": "chicago"}), "stacks/Pulumi.test.yaml")
    [problem] = caught.value.problems
    assert problem.path == "eks-hybrid:site.nodePools[0].labels.eks-hybrid/site"
    assert "set by eks-hybrid to the site's name (dallas)" in problem.rule
