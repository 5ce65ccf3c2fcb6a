"""How many generated examples a property test runs. Mutation testing (tools/mutation.py sets
CLEARLINE_MUTATION) re-runs the suite once per mutant: there, an eighth of the examples still
finds a changed decision, and the run fits its time budget."""

import os


def examples(n: int) -> int:
    return max(5, n // 8) if os.environ.get("CLEARLINE_MUTATION") else n
