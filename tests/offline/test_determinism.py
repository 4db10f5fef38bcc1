"""Plans are a function of the config alone: no clock, hostname or environment in any planned value.

Two plans of every example stack, an hour apart by the (frozen, then moved) clock, with another hostname
and another SOURCE_DATE_EPOCH, are byte-identical. Before this, the SSM activation's expiry was computed
from the current hour, so this failed for the SSM hub.
"""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from eks_hybrid.plan_documents import plan_document, plan_stacks, stack_order
from eks_hybrid.planner import Planner

from ..conftest import STACKS

MOMENT = datetime(2026, 11, 29, 9, 59, 30, tzinfo=UTC)


def planned_bytes() -> bytes:
    outcomes = plan_stacks(Planner(STACKS, offline_secrets=True), stack_order(STACKS))
    assert all(o.plan is not None for o in outcomes), [o.error for o in outcomes]
    documents = [plan_document(o.plan) for o in outcomes if o.plan is not None]
    return json.dumps(documents, indent=2, sort_keys=True).encode()


def test_plans_are_byte_identical_an_hour_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    with time_machine.travel(MOMENT, tick=False):
        assert datetime.now(UTC) == MOMENT
        first = planned_bytes()
    monkeypatch.setattr(socket, "gethostname", lambda: "another-host")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    monkeypatch.setenv("HOSTNAME", "another-host")
    with time_machine.travel(MOMENT + timedelta(hours=1, minutes=1), tick=False):
        assert datetime.now(UTC) > MOMENT + timedelta(hours=1)
        second = planned_bytes()
    assert first == second
    assert b"(known after apply)" in first  # the SSM activation's expiry, fixed only at apply time
