"""Objections (keberatan): a candidate's right to contest a level or a ranking (UU 27/2022).

``rules`` reads the answering deadline from ``assessments/keberatan.yml``; ``filing`` files,
lists and answers objections, checking on the server who may do each; ``marks`` tells a
ranking and a selection report which candidates objected and what came of it.
"""

LEVEL, RANKING = "level", "peringkat"
OPEN, GRANTED, REJECTED = "terbuka", "dikabulkan", "ditolak"
DECISIONS = (GRANTED, REJECTED)
