"""eks-hybrid: `pulumi up` builds this stack's hub or site from its validated config (see README)."""

import pulumi

from eks_hybrid.components.composition import build_current_stack
from eks_hybrid.components.errors import ProblemsError

try:
    build_current_stack()
except ProblemsError as error:
    # Every problem, listed once, without a Python traceback.
    raise pulumi.RunError(str(error)) from None
