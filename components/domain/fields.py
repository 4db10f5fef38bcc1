"""Annotated field types whose validators word the contract's rules for users."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field, SecretStr
from pydantic_core import PydanticCustomError

from ..codes import Code
from ..errors import Reason, shown
from . import cidrs, cluster_rules
from .patterns import HOSTNAME, INSTANCE_TYPE, NIC_NAME, PATTERN_WORDS


def _rule(check: Callable[[object], str]) -> Callable[[object], object]:
    """Turn a CidrRuleError from a pure check into a pydantic error whose message is the rule."""

    def run(value: object) -> object:
        try:
            return check(value)
        except cidrs.CidrRuleError as exc:
            raise PydanticCustomError(exc.code.value, str(exc)) from exc

    return run


def _pattern(regex: str, what: str, code: Code) -> Callable[[str], str]:
    compiled = re.compile(regex)

    def run(value: str) -> str:
        if not compiled.fullmatch(value):
            raise PydanticCustomError(code.value, "{value} is not " + what, {"value": shown(value)})
        return value

    return run


def matches(pattern: str, code: Code, accepts: Callable[[str], bool] | None = None) -> Callable[[str], str]:
    """A validator refusing text that does not fully match `pattern` (one of `patterns.py`'s, run by Python's
    `re`, so it may look ahead), or that `accepts` refuses when given; the error says the pattern's words."""
    compiled = re.compile(pattern)
    words = PATTERN_WORDS[pattern].replace("{", "{{").replace("}", "}}")

    def run(value: str) -> str:
        ok = accepts(value) if accepts is not None else compiled.fullmatch(value) is not None
        if not ok:
            raise PydanticCustomError(code.value, f"must be {words} (got {{value}})", {"value": shown(value)})
        return value

    return run


def _hostname_or_address(value: str) -> bool:
    if "%" in value:  # an IPv6 zone ("%eth0") is free text after the address: no server is named so
        return False
    try:
        ipaddress.ip_address(value)
    except ValueError:
        # Dotted digits are meant as an IPv4 address, and this one is none (999.1.1.1).
        return re.fullmatch(HOSTNAME, value) is not None and re.fullmatch(r"[0-9.]+", value) is None
    return True


NtpServer = Annotated[str, AfterValidator(matches(HOSTNAME, Code.INVALID_NTP_SERVER, _hostname_or_address))]
NicName = Annotated[str, AfterValidator(matches(NIC_NAME, Code.INVALID_NIC_NAME))]
InstanceType = Annotated[str, AfterValidator(matches(INSTANCE_TYPE, Code.INVALID_INSTANCE_TYPE))]

RemoteCidr = Annotated[str, BeforeValidator(_rule(cidrs.remote_network))]
VpcCidr = Annotated[str, BeforeValidator(_rule(cidrs.vpc_network))]
ServiceCidr = Annotated[str, BeforeValidator(_rule(cidrs.service_network))]
AnyCidr = Annotated[str, BeforeValidator(_rule(lambda v: str(cidrs.parse_ipv4_network(v))))]
TunnelInsideCidr = Annotated[str, BeforeValidator(_rule(cidrs.tunnel_inside_network))]
IPv4 = Annotated[str, BeforeValidator(_rule(cidrs.ipv4_address))]

VpcId = Annotated[
    str,
    AfterValidator(_pattern(r"vpc-[0-9a-f]{8,17}", "a VPC id (vpc-0123456789abcdef0)", Code.NOT_A_VPC_ID)),
]
SubnetId = Annotated[
    str,
    AfterValidator(
        _pattern(r"subnet-[0-9a-f]{8,17}", "a subnet id (subnet-0123456789abcdef0)", Code.NOT_A_SUBNET_ID)
    ),
]
RouteTableId = Annotated[
    str,
    AfterValidator(
        _pattern(r"rtb-[0-9a-f]{8,17}", "a route table id (rtb-0123456789abcdef0)", Code.NOT_A_ROUTE_TABLE_ID)
    ),
]
EniId = Annotated[
    str,
    AfterValidator(
        _pattern(r"eni-[0-9a-f]{8,17}", "a network interface id (eni-0123456789abcdef0)", Code.NOT_AN_ENI_ID)
    ),
]
SecurityGroupId = Annotated[
    str,
    AfterValidator(
        _pattern(
            cluster_rules.SECURITY_GROUP_ID,
            "a security group id (sg-0123456789abcdef0)",
            Code.NOT_A_SECURITY_GROUP_ID,
        )
    ),
]
# Pulumi resource names and AWS Name tags are derived from these, so keep them DNS-label-like.
Slug = Annotated[
    str,
    AfterValidator(
        _pattern(
            r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?",
            "a lowercase name of letters, digits and '-' (at most 63, starting and ending alphanumeric)",
            Code.INVALID_NAME,
        )
    ),
]
ClusterName = Annotated[
    str,
    AfterValidator(
        _pattern(
            r"[0-9A-Za-z][A-Za-z0-9_-]{0,99}",
            "an EKS cluster name (letters, digits, '-' and '_', at most 100, starting alphanumeric)",
            Code.INVALID_CLUSTER_NAME,
        )
    ),
]

# AWS tags, as the strictest service the stacks tag (IAM, EKS) takes them: keys 1 to 128 and values up to
# 256 Unicode letters, digits, spaces and `_ . : / = + - @`; `aws:` is reserved (AWS General Reference,
# "Tagging your AWS resources": tag naming limits and requirements).
_TAG_SYMBOLS = frozenset("_.:/=+-@")


def _tag_text(what: str, shortest: int, longest: int, code: Code) -> Callable[[str], str]:
    def run(value: str) -> str:
        ok = shortest <= len(value) <= longest and all(
            c in _TAG_SYMBOLS or unicodedata.category(c)[0] in "LNZ" for c in value
        )
        if not ok:
            raise PydanticCustomError(
                code.value,
                "{value} is not "
                + what
                + f" ({shortest} to {longest} letters, digits, spaces or _ . : / = + - @)",
                {"value": shown(value)},
            )
        if what.startswith("an AWS tag key") and value.lower().startswith("aws:"):
            raise PydanticCustomError(
                Code.RESERVED_TAG_KEY.value,
                "{value}: tag keys starting with aws: are AWS's own",
                {"value": shown(value)},
            )
        return value

    return run


AwsTagKey = Annotated[str, AfterValidator(_tag_text("an AWS tag key", 1, 128, Code.INVALID_TAG_KEY))]
AwsTagValue = Annotated[str, AfterValidator(_tag_text("an AWS tag value", 0, 256, Code.INVALID_TAG_VALUE))]

# Kubernetes label keys and values ("Labels and Selectors", syntax and character set): an optional DNS
# subdomain prefix and '/', then a name of at most 63 characters; values at most 63, possibly empty. Taint
# keys and values follow the same rules.
_LABEL_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
_DNS_PREFIX = r"(?=.{1,253}/)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/"
LabelKey = Annotated[
    str,
    AfterValidator(
        _pattern(
            f"({_DNS_PREFIX})?{_LABEL_NAME}",
            "a Kubernetes label key (an optional DNS prefix and '/', then at most 63 letters, digits, '-',"
            " '_' or '.', starting and ending alphanumeric)",
            Code.INVALID_LABEL_KEY,
        )
    ),
]
LabelValue = Annotated[
    str,
    AfterValidator(
        _pattern(
            f"({_LABEL_NAME})?",
            "a Kubernetes label value (at most 63 letters, digits, '-', '_' or '.', starting and ending"
            " alphanumeric, or empty)",
            Code.INVALID_LABEL_VALUE,
        )
    ),
]

Asn = Annotated[int, Field(ge=1, le=4294967294, strict=True)]  # strict: YAML `true` is not ASN 1
Secret = SecretStr


def is_private_asn(asn: int) -> bool:
    return 64512 <= asn <= 65534 or 4200000000 <= asn <= 4294967294


def reserved_asn_problem(asn: int) -> Reason | None:
    """Why an ASN cannot peer anywhere (reserved: RFC 7607, 6793, 5398, 7300), or None."""
    if asn in (0, 23456, 65535, 4294967295) or 64496 <= asn <= 64511 or 65536 <= asn <= 131071:
        return Reason(
            Code.ASN_RESERVED,
            f"ASN {asn} is reserved (documentation, AS_TRANS or IANA-reserved) and cannot peer",
        )
    return None


def asn_problem(asn: int) -> Reason | None:
    """Why an ASN cannot be used for BGP with AWS, or None when it can."""
    reserved = reserved_asn_problem(asn)
    if reserved:
        return reserved
    if asn > 2147483647 and not is_private_asn(asn):
        return Reason(
            Code.ASN_NOT_ACCEPTED,
            f"ASN {asn} is outside what AWS accepts for a customer gateway (1 to 2147483647)",
        )
    return None


def _amazon_side_asn(asn: int) -> int:
    if not is_private_asn(asn):
        raise PydanticCustomError(
            Code.AMAZON_ASN_NOT_PRIVATE.value,
            "the Amazon-side ASN of a transit or virtual private gateway must be a private ASN"
            " (64512 to 65534, or 4200000000 to 4294967294); got {asn}",
            {"asn": asn},
        )
    return asn


AmazonSideAsn = Annotated[int, Field(strict=True), AfterValidator(_amazon_side_asn)]
