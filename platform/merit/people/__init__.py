"""People data HR brings in: the roster, SKP ratings, and JP hours derived from courses."""
