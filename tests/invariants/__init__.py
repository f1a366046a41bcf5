"""Safety-invariant suite (issue 8): generated CLI inputs for every command, global invariants on the JSON."""
