"""Instant feedback: every submission to Merit's exchange graded at once by a standing service.

:mod:`merit.feedback.queue` is the durable queue in the registry (the exchange adds to it,
the service takes from it); :mod:`merit.feedback.service` grades with ``merit grade``'s
engine on warm sandbox slots and records exactly what a batch run records;
:mod:`merit.feedback.report` writes the learner's feedback page.
"""
