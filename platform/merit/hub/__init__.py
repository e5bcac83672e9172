"""JupyterHub in front of Merit: its configuration generated from the registry.

``merit hub mulai`` starts JupyterHub with :mod:`merit.hub.jupyterhub_config`, which asks
:func:`merit.hub.config.configure` for everything: the hub's own database, the proxy,
learners' servers as their own Unix users, and nbgrader's multi-course setup (groups
``nbgrader-COURSE`` and ``formgrade-COURSE``, one formgrader service per course) planned
from the registry's enrolment by :mod:`merit.hub.plan`. ``merit hub sinkron`` keeps a
running hub, nbgrader's student tables and the Unix accounts in step with enrolment.
"""
