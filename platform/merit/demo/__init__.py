"""``merit demo``: the whole path from a course notebook to a ranked candidate.

Synthetic but realistic inputs (a roster with valid NIPs, a cohort's submissions with
right, wrong, failing and blank answers) go through the real parts: nbgrader builds and
autogrades, the registry syncs and derives levels, placement ranks.
"""

# Here rather than in merit.demo.run: the command line offers it as the default of
# `merit demo --jabatan` without importing a whole run (see merit/cli/__init__.py).
DEMO_POSITION = "kasubbag-kepegawaian"  # the position the demo ranks candidates for
