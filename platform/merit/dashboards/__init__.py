"""Merit's web pages (Voila): thin notebooks, the queries they call, and their widget views.

``learner``, ``trainer``, ``hr`` and ``gradebooks`` are services: plain functions over the
registry and nbgrader's gradebooks, tested directly on SQLite and PostgreSQL. ``views``
builds the ipywidgets pages from them; ``pages`` is what a notebook calls: it finds the
viewer through :mod:`merit.access` and shows the page or a refusal. The notebooks in
this folder hold two cells: import, then show.
"""
