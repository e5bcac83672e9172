"""Merit: competency learning and assessment for Indonesian civil servants (ASN).

Course notebooks are graded by nbgrader; every graded cell becomes evidence in a
competency registry that HR uses for merit-based placement. The package is laid out
one concern per module, with dependencies pointing one way::

    cli / demo  ->  grading, placement, competency  ->  registry, catalog
"""

__version__ = "0.1.0"
