"""``merit demo``: the whole path from a course notebook to a ranked candidate.

Synthetic but realistic inputs (a roster with valid NIPs, a cohort's submissions with
right, wrong, failing and blank answers) go through the real parts: nbgrader builds and
autogrades, the registry syncs and derives levels, placement ranks.
"""
