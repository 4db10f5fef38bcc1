"""A deployed stack's outputs: where `verify` reads them from, and the names it uses (a hub's are
`HubOutputs`, the model the hub writes them by).

The document is what `pulumi stack output --json` prints (a JSON object, one key per output). Secret
outputs may be present (`--show-secrets`) or masked (`"[secret]"`): `verify` never needs a secret value.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TextIO

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from eks_hybrid.components.codes import Code
from eks_hybrid.components.domain.hub_outputs import HubOutputs
from eks_hybrid.components.domain.site_outputs import SiteOutput
from eks_hybrid.components.errors import PlanError, Problem
from eks_hybrid.components.postdeploy import HUB_OUTPUTS_ENV, OUTPUTS_ENV
from eks_hybrid.input_files import read_input_file

__all__ = [
    "HUB_OUTPUTS_ENV",
    "OUTPUTS_ENV",
    "HubOutputs",
    "OutputsSource",
    "SiteOutputs",
    "load_outputs",
]

SECRET_MASK = "[secret]"


class _Outputs(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)


class SiteOutputs(_Outputs):
    site: str | None = Field(None, alias=SiteOutput.SITE)
    kind: str | None = Field(None, alias=SiteOutput.KIND)
    vpn_connection_id: str | None = Field(None, alias=SiteOutput.VPN_CONNECTION_ID)
    customer_gateway_id: str | None = Field(None, alias=SiteOutput.CUSTOMER_GATEWAY_ID)
    transit_gateway_attachment_id: str | None = Field(None, alias=SiteOutput.TRANSIT_GATEWAY_ATTACHMENT_ID)


class OutputsSource:
    """Where one stack's outputs come from, in order: a file (or `-`, standard input), an environment
    variable holding the JSON itself (what the post-deploy step passes), or the Pulumi CLI."""

    def __init__(
        self,
        stack: str,
        path: str | None,
        env_var: str,
        *,
        environ: Mapping[str, str] | None = None,
        stdin: TextIO | None = None,
        pulumi: str | None = None,
    ) -> None:
        self.stack = stack
        self.path = path
        self.env_var = env_var
        self.environ = os.environ if environ is None else environ
        self.stdin = stdin or sys.stdin
        self.pulumi = pulumi

    def read(self) -> dict[str, Any]:
        if self.path == "-":
            return _parse(self.stdin.read(), "standard input", self.stack)
        if self.path:
            if not Path(self.path).exists():
                raise _problem(self.path, "no such file", Code.FILE_UNREADABLE)
            # A regular file of at most the stack files' size, as render reads its outputs files.
            data = read_input_file(Path(self.path))
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise _problem(
                    self.path, f"is not UTF-8 text (byte {exc.start})", Code.OUTPUTS_NOT_JSON
                ) from None
            return _parse(text, self.path, self.stack)
        if self.environ.get(self.env_var, "").strip():
            return _parse(self.environ[self.env_var], f"${self.env_var}", self.stack)
        return self._from_pulumi()

    def _from_pulumi(self) -> dict[str, Any]:
        pulumi = self.pulumi or shutil.which("pulumi")
        command = f"pulumi stack output --json --stack {self.stack}"
        if pulumi is None:
            raise _problem(
                "--outputs",
                f"the outputs of stack {self.stack} are needed: save them with `{command} --show-secrets >"
                " FILE` and pass --outputs FILE (the Pulumi CLI is not on PATH to ask it here)",
                Code.PULUMI_CLI_MISSING,
            )
        # No --show-secrets: verify needs no secret, and this works without the stack's passphrase.
        done = subprocess.run(
            [pulumi, "stack", "output", "--json", "--stack", self.stack],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        if done.returncode != 0:
            reason = (done.stderr or done.stdout).strip().splitlines()
            raise _problem(
                "--outputs",
                f"`{command}` failed: {reason[-1] if reason else done.returncode}",
                Code.PULUMI_CLI_FAILED,
            )
        return _parse(done.stdout, f"`{command}`", self.stack)


def _problem(where: str, rule: str, code: Code) -> PlanError:
    return PlanError([Problem(where, "(outputs)", rule, code)])


def _parse(text: str, where: str, stack: str) -> dict[str, Any]:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep for the decoder
        raise _problem(
            where, f"is not JSON (expected `pulumi stack output --json` of {stack})", Code.OUTPUTS_NOT_JSON
        ) from exc
    if not isinstance(document, dict):
        raise _problem(
            where,
            f"is not a JSON object (expected `pulumi stack output --json` of {stack})",
            Code.OUTPUTS_NOT_OBJECT,
        )
    return document


def load_outputs(source: OutputsSource) -> dict[str, Any]:
    """The outputs, with masked secrets dropped (they would only ever be mistaken for values)."""
    return {key: value for key, value in source.read().items() if value != SECRET_MASK}
