"""The two roles a person can hold in a course, as the registry stores them.

A module of its own because nbgrader's exchange classes, which run in every learner's
server at every ``nbgrader list``, need these names and nothing heavier.
"""

LEARNER = "peserta"
TRAINER = "pengajar"
