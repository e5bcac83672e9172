"""Grading with nbgrader: building course directories and autograding submissions.

Merit never reimplements grading: it prepares nbgrader's course directory and calls
nbgrader's own converters, so nbgrader's formgrader and ``nbgrader export`` see exactly
what Merit sees.
"""
