"""eks-hybrid: `pulumi up` builds this stack's hub or site from its validated config (see README)."""

import pulumi

from components.composition import build_current_stack
from components.errors import ProblemsError

try:
    build_current_stack()
except ProblemsError as error:
    # Every problem, listed once, without a Python traceback.
    raise pulumi.RunError(str(error)) from None
