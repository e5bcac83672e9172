"""The competency registry: employees, evidence and competency levels.

Everything that stores or reads registry rows goes through this package, so the
database (SQLite by default, PostgreSQL at scale) is behind one seam.
"""
