"""Merit's nbgrader exchange: a hub service that owns its storage, and the classes that call it.

nbgrader's default exchange is a world-writable folder in which learners can list each
other's submissions (nbgrader #1225) and which needs a filesystem shared by every server
(zero-to-jupyterhub #174). Here the learner's server talks HTTP to one service
(:mod:`merit.exchange.service`) with its hub token; the service keeps every file in a
folder only it can read (:mod:`merit.exchange.store`) and decides from the registry's
enrolment who may do what (:mod:`merit.exchange.access`). nbgrader uses the client
classes (:mod:`merit.exchange.client`) through ``ExchangeFactory``.
"""
