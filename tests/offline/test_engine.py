"""The offline engine: deterministic ids, secrets scrubbed, stack references answered, state reset."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest

from eks_hybrid.offline.engine import DuplicateResourceError
from eks_hybrid.offline.recording import scrub


def two_buckets():
    aws.s3.Bucket("a")
    aws.s3.Bucket("b", tags={"k": "v"})


def test_runs_are_deterministic(mock_engine):
    assert mock_engine.run(two_buckets).resources == mock_engine.run(two_buckets).resources


def test_urns_are_the_real_engines(mock_engine):
    run = mock_engine.run(two_buckets, stack="dev")
    assert run.named("a").urn == "urn:pulumi:dev::eks-hybrid::aws:s3/bucket:Bucket::a"


def test_secret_inputs_and_outputs_are_scrubbed(mock_engine):
    def program():
        param = aws.ssm.Parameter("p", type="SecureString", value=pulumi.Output.secret("hunter2"))
        pulumi.export("value", param.value)
        pulumi.export("plain", "x")

    run = mock_engine.run(program)
    assert run.named("p").inputs["value"] == "[secret]"
    assert run.outputs == {"plain": "x", "value": "[secret]"}
    assert run.secret_outputs == {"value"}
    assert run.raw_outputs["value"] == "hunter2"  # what a StackReference reader gets back


def test_stack_references_are_answered(mock_engine):
    def program():
        ref = pulumi.StackReference("org/eks-hybrid/hub")
        pulumi.export("got", ref.get_output("vpcId"))

    run = mock_engine.run(program, stack_references={"hub": ({"vpcId": "vpc-1"}, [])})
    assert run.outputs["got"] == "vpc-1"


def test_duplicates_are_refused(mock_engine):
    def program():
        aws.s3.Bucket("same")
        aws.s3.Bucket("same")

    with pytest.raises(DuplicateResourceError):
        mock_engine.run(program)


def test_config_is_reset_between_runs(mock_engine):
    def read():
        pulumi.export("v", pulumi.Config("eks-hybrid").get("k"))

    assert mock_engine.run(read, config={"eks-hybrid:k": "1"}).outputs == {"v": "1"}
    assert mock_engine.run(read).outputs == {"v": None}


def test_unknown_invokes_fail_loudly(mock_engine):
    def program():
        aws.ec2.get_vpc(id="vpc-1")

    with pytest.raises(Exception, match="no answer for invoke"):
        mock_engine.run(program)


def test_scrub():
    assert scrub({"b": 1.0, "a": [2.5]}) == {"a": [2.5], "b": 1}


def test_a_failed_run_that_leaves_its_loop_marked_running_keeps_its_own_error() -> None:
    """A run failing inside a nested wait can leave the loop marked running; handing it back must not raise
    "Cannot close a running event loop" over the run's own error (the loop is dropped, not closed)."""
    from eks_hybrid.offline.engine import _LoopKeeper

    keeper = _LoopKeeper()
    loop = keeper.take()

    async def hand_back_while_running() -> bool:
        return keeper.give_back(loop, clean=False)

    assert loop.run_until_complete(hand_back_while_running()) is False
    assert keeper.take() is not loop  # the next run starts on a new loop
    loop.close()
