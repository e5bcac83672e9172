"""Question items and charts for Merit course notebooks and Voila dashboards.

Kept apart from the ``merit`` platform package so that course notebooks can import it
with few dependencies (ipywidgets only). The item types arrive with the question
widgets work; this package exists now so notebooks have a stable import path.
"""

__version__ = "0.1.0"
