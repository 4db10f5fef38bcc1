"""`eks-hybrid render`: write every file a site needs on-prem and at the edge.

Pre-shared keys and activation codes go only into the written files (mode 0600); this command prints
file names, modes and placeholder tokens, never a file's content.
"""

from __future__ import annotations

import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..render_settings import FILE_MODE, MANIFEST, SCRIPT_MODE, SECRET_MODE
from . import output, paths

if TYPE_CHECKING:
    from eks_hybrid.components.onprem.bundle import SiteBundle

    from ..render import DeployedOutputs


def _user_data(path: Path | None) -> dict[str, Any] | None:
    from eks_hybrid.components.errors import PlanError, Problem, key_path
    from eks_hybrid.components.onprem.userdata import UserDataError, parse_user_data

    from .. import safe_yaml
    from ..input_files import read_input_file

    if path is None:
        return None
    data = read_input_file(path)
    try:
        # The stack files' bounded reader first, for its bounds alone: aliases that expand past its limit,
        # deep nesting and duplicate keys are refused here rather than written into a file every edge host
        # parses again at boot (Go's yaml.v3 refuses both: "already defined", "excessive aliasing"; that
        # the edge's reader is yaml.v3 is inferred).
        safe_yaml.load(data)
        return parse_user_data(data)
    except safe_yaml.YamlRefusal as exc:
        raise PlanError([Problem(str(path), key_path(exc.loc) or "(file)", exc.rule, exc.code)]) from None
    except UserDataError as exc:
        raise PlanError([Problem(str(path), exc.path, exc.rule, exc.code)]) from None


def _outputs(path: Path | None, *, hub: bool) -> DeployedOutputs | None:
    from ..render import read_outputs
    from ..render_outputs import HubOutputsSchema, SiteOutputsSchema

    if path is None:
        return None
    return read_outputs(path, HubOutputsSchema if hub else SiteOutputsSchema)


def render(
    stack: Annotated[
        str,
        typer.Option(
            "--stack",
            "-s",
            metavar="STACK",
            callback=paths.checked,
            help="The site stack to render: a name (its `Pulumi.<stack>.yaml` is in --stacks-dir) or a stack"
            " file's path.",
        ),
    ],
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Directory to write the site's files into: missing, empty, or one render wrote before (its"
            f" {MANIFEST} lists what it wrote; what it no longer writes is removed).",
        ),
    ],
    outputs: Annotated[
        Path | None,
        typer.Option("--outputs", help="The site's `pulumi stack output --json --show-secrets`."),
    ] = None,
    hub_outputs: Annotated[
        Path | None,
        typer.Option("--hub-outputs", help="The hub's `pulumi stack output --json --show-secrets`."),
    ] = None,
    user_data: Annotated[
        Path | None, typer.Option("--user-data", help="Your Appliance Mode user-data, to merge into.")
    ] = None,
    stacks_dir: Annotated[
        Path, typer.Option("--stacks-dir", metavar="DIR", help="Where the `Pulumi.<stack>.yaml` files live.")
    ] = Path("stacks"),
    router_address: Annotated[str | None, typer.Option("--router-address", hidden=True)] = None,
    cluster_asn: Annotated[str | None, typer.Option("--cluster-asn", hidden=True)] = None,
    router_asn: Annotated[str | None, typer.Option("--router-asn", hidden=True)] = None,
    route_based: Annotated[
        bool,
        typer.Option(
            "--route-based",
            help="Deprecated: route-based tunnels (0/0 selectors, an XFRM interface per tunnel) are the"
            " default; for policy-based ones set siteToSiteVpn.policyBased in the site's stack file.",
        ),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of unexpected errors.")] = False,
) -> None:
    """Write the site's router (strongSwan, FRR), edge (EdgeForge .arg, user-data, NodeConfig) and Cilium
    BGP files, with a README saying what each is for and in which order to apply them.

    Without --outputs/--hub-outputs the values only AWS knows are placeholders; render again after
    `pulumi up`. Exit status: 0 written, 2 invalid input, 1 unexpected failure.
    """
    _refuse_replaced_options(router_address=router_address, cluster_asn=cluster_asn, router_asn=router_asn)
    from eks_hybrid.components.codes import Code
    from eks_hybrid.components.errors import EksHybridError, PlanError, Problem, ProblemsError
    from eks_hybrid.components.onprem.bundle import render_site
    from eks_hybrid.components.onprem.edgeforge import EdgeForgeError
    from eks_hybrid.components.onprem.userdata import UserDataError

    from ..render import RenderOptions, gather_site
    from ..render_write import write_bundle
    from ..stack_files import stack_location

    try:
        stacks_dir, stack = stack_location(stack, stacks_dir)
    except ProblemsError as error:
        output.fail(str(error))
    if not stacks_dir.is_dir():
        output.fail(f"{stacks_dir}: no such stacks directory")
    if out.exists() and not out.is_dir():
        output.fail(f"{out}: exists and is not a directory")
    try:
        if route_based:
            output.note(
                "--route-based is deprecated: route-based tunnels are the default (policy-based ones come"
                " from siteToSiteVpn.policyBased in the site's stack file)"
            )
        options = RenderOptions(route_based=route_based)
        user_document = _user_data(user_data)  # every input file is read and checked before the plan
        site, source = gather_site(
            stacks_dir,
            stack,
            site_outputs=_outputs(outputs, hub=False),
            hub_outputs=_outputs(hub_outputs, hub=True),
            options=options,
        )
        try:
            bundle = render_site(site, user_data=user_document, source=source)
        except UserDataError as exc:  # the user's file cannot take the required entries: name it
            raise PlanError([Problem(str(user_data), exc.path, exc.rule, exc.code)]) from None
        except (EdgeForgeError, ValueError) as exc:
            code = exc.code if isinstance(exc, EksHybridError) else Code.RENDER_REFUSED
            raise PlanError([Problem(stack, "(render)", str(exc), code)]) from exc
        write_bundle(bundle, out, site.edge_hosts)
    except PlanError as error:  # what render could not do with valid stack files: say it was rendering
        output.fail(error.render(headline="cannot render this stack"))
    except ProblemsError as error:
        output.fail(str(error))
    except Exception as error:  # the program itself broke: say so plainly, trace on demand
        if debug:
            traceback.print_exc()
        output.fail(f"{stack}: render failed: {type(error).__name__}: {error}", code=1)
    _report(bundle, out, source)


# 0.1's options for Cilium BGP, now keys of the hub stack, which the hub applies its BGP objects from.
_REPLACED_OPTIONS = {
    "router_address": ("--router-address", "eks-hybrid:sites.<site>.bgpPeer.address"),
    "cluster_asn": ("--cluster-asn", "eks-hybrid:cilium.clusterAsn"),
    "router_asn": ("--router-asn", "eks-hybrid:sites.<site>.bgpPeer.asn"),
}


def _refuse_replaced_options(**given: str | None) -> None:
    used = [_REPLACED_OPTIONS[name] for name, value in given.items() if value is not None]
    if used:
        output.fail(
            "\n".join(
                f"{option}: replaced by the hub stack key {key}, so that the router's files and the Cilium"
                " BGP objects the hub applies use the same values"
                for option, key in used
            )
        )


def _report(bundle: SiteBundle, out: Path, source: str) -> None:
    output.stdout.print(
        f"{bundle.site}: wrote {len(bundle.files)} files to {out} from {source}", markup=False
    )
    for rendered in bundle.files:
        mode = SECRET_MODE if rendered.secret else SCRIPT_MODE if rendered.executable else FILE_MODE
        output.stdout.print(f"  {oct(mode)[2:]:>4}  {rendered.path}", markup=False)
    if bundle.placeholders:
        tokens = ", ".join(p.token for p in bundle.placeholders)
        by_hand = [p.token for p in bundle.placeholders if not p.from_outputs]
        output.stdout.print(
            f"{len(bundle.placeholders)} placeholders to fill before use ({tokens}):"
            + (
                " render again with --outputs and --hub-outputs after `pulumi up`"
                if len(by_hand) < len(bundle.placeholders)
                else ""
            )
            + (
                f"{';' if len(by_hand) < len(bundle.placeholders) else ''} {', '.join(by_hand)} no stack"
                " output carries: fill them in by hand (README.md, Placeholders)"
                if by_hand
                else ""
            ),
            markup=False,
        )
    for warning in bundle.warnings:
        output.stderr.print(f"warning: {warning}", markup=False)
