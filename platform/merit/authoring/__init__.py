"""Tools trainers write courses with: ``merit course new``, ``validate`` and ``coverage``.

Static checks (schema, nbgrader metadata, tags, rubrics, module structure) live in
:mod:`merit.catalog`; this package adds what needs running code: grading the solutions
and the release with real nbgrader, running nbval, and the catalog-wide coverage matrix.
"""
