"""ASN rules and the annotated field types."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from eks_hybrid.components.codes import Code
from eks_hybrid.components.domain.fields import (
    AmazonSideAsn,
    EniId,
    RemoteCidr,
    Slug,
    asn_problem,
    is_private_asn,
)

PRIVATE = st.one_of(st.integers(64512, 65534), st.integers(4200000000, 4294967294))


@pytest.mark.parametrize(
    ("asn", "private"),
    [
        (64511, False),
        (64512, True),
        (65534, True),
        (65535, False),
        (4199999999, False),
        (4200000000, True),
        (4294967294, True),
        (4294967295, False),
        (1, False),
    ],
)
def test_is_private_asn_bounds(asn, private):
    assert is_private_asn(asn) is private


@given(PRIVATE)
def test_private_asns_can_peer(asn):
    assert is_private_asn(asn)
    assert asn_problem(asn) is None


@pytest.mark.parametrize("asn", [0, 23456, 64496, 64511, 65535, 65536, 131071, 4294967295])
def test_reserved_asns(asn):
    problem = asn_problem(asn)
    assert problem is not None and problem.code is Code.ASN_RESERVED and "is reserved" in problem.text


@given(st.integers(131072, 2147483647).filter(lambda a: not is_private_asn(a)))
def test_public_four_byte_asns_up_to_2_31_can_peer(asn):
    assert asn_problem(asn) is None


@given(st.integers(2147483648, 4199999999))
def test_asns_beyond_what_aws_accepts(asn):
    problem = asn_problem(asn)
    assert problem is not None and problem.code is Code.ASN_NOT_ACCEPTED
    assert "outside what AWS accepts" in problem.text


@given(st.integers(0, 2**32 + 10))
def test_amazon_side_asn_accepts_exactly_private_asns(asn):
    adapter = TypeAdapter(AmazonSideAsn)
    if is_private_asn(asn):
        assert adapter.validate_python(asn) == asn
    else:
        with pytest.raises(ValidationError, match="must be a private ASN"):
            adapter.validate_python(asn)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("a", True),
        ("a-b-1", True),
        ("a" * 63, True),
        ("a" * 64, False),
        ("A", False),
        ("a_b", False),
        ("-a", False),
        ("a-", False),
        ("", False),
    ],
)
def test_slug(value, ok):
    adapter = TypeAdapter(Slug)
    if ok:
        assert adapter.validate_python(value) == value
    else:
        with pytest.raises(ValidationError, match="is not a lowercase name"):
            adapter.validate_python(value)


def test_id_patterns_are_anchored():
    with pytest.raises(ValidationError):
        TypeAdapter(EniId).validate_python("xeni-0a1b2c3d4e5f60001")
    with pytest.raises(ValidationError):
        TypeAdapter(EniId).validate_python("eni-0a1b2c3d4e5f60001x")


def test_field_rule_errors_carry_the_rule_as_the_message():
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(RemoteCidr).validate_python("10.0.0.1/8")
    [error] = caught.value.errors()
    assert error["type"] == Code.CIDR_HOST_BITS
    assert error["msg"] == "10.0.0.1/8 has host bits set: did you mean 10.0.0.0/8?"
