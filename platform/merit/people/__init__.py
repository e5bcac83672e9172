"""People data HR brings in: the roster, SKP ratings, and JP hours derived from courses."""

# Here rather than in merit.people.jp, so that the command line offers it as the default of
# `merit jp --kurang-dari` without importing SQLAlchemy (see merit/cli/__init__.py).
MINIMUM_JP = 20  # JP a year every ASN is entitled to (PP 11/2017; see merit.people.jp)
