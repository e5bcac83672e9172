"""What the page notebooks call: ``siapkan()`` in their first cell, ``tampilkan(halaman)`` in the second.

The first cell loads settings, content and the registry (a preheated kernel does this
before any request); the second waits for the request (``voila.utils.wait_for_request``
in a preheated kernel), asks the identity seam who is looking, checks what they may see
and shows the page, or a refusal in Indonesian. Nothing in the URL chooses the viewer.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import ipywidgets as widgets

from merit.access import Refused
from merit.access.identity import request_environ, require_viewer
from merit.dashboards.context import PageContext
from merit.dashboards.learner import learner_portal
from merit.dashboards.views.common import problem, refusal
from merit.dashboards.views.hr import HrPage
from merit.dashboards.views.learner import LearnerPage
from merit.dashboards.views.objections import ObjectionForm
from merit.dashboards.views.trainer import TrainerPage
from merit.errors import MeritError
from merit.placement.ranking import Ranking

PAGES = ("peserta", "widyaiswara", "kepegawaian")
_context: PageContext | None = None


_prepared: dict[str, Ranking] = {}


def siapkan(halaman: str | None = None) -> None:
    """First cell: load what every request of this kernel shares (before the request, when preheated).

    For the HR page the opening ranking is computed too; nothing about the viewer is known
    yet, so nothing is shown: the result waits in this kernel's memory (never in a widget,
    whose state a browser could fetch) until :func:`tampilkan` has checked who is looking.
    """
    ctx = _loaded()
    if halaman == "kepegawaian":
        from merit.dashboards.hr import prepare
        from merit.demo import DEMO_POSITION

        position = DEMO_POSITION if DEMO_POSITION in ctx.content.positions else min(ctx.content.positions)
        try:
            with ctx.registry.session() as session:
                _prepared["kepegawaian"] = prepare(session, ctx.content, position, ctx.as_of)
        except MeritError:
            pass  # an empty registry: the page says so when it is asked for


def _loaded() -> PageContext:
    global _context
    if _context is None:
        _context = PageContext.load()
    return _context


def _query(environ: dict[str, str] | object) -> dict[str, str]:
    raw = getattr(environ, "get", lambda *_: "")("QUERY_STRING", "") or ""
    return {key: values[0] for key, values in parse_qs(raw).items()}


def build(page: str, ctx: PageContext, environ: object) -> widgets.Widget:
    """The page ``page`` for the request described by ``environ``, or a refusal."""
    if page not in PAGES:
        raise ValueError(f"unknown page {page!r}")
    query = _query(environ)
    try:
        with ctx.registry.session() as session:
            viewer = require_viewer(session, environ)  # type: ignore[arg-type]
            if page == "peserta":
                viewer.require_learner_self(query.get("nip"))
                portal = learner_portal(session, ctx.content.courses, ctx.workspace, viewer.require_learner())
        if page == "peserta":
            return LearnerPage(portal, viewer, ctx.workspace, ObjectionForm(ctx, viewer, portal))
        if page == "widyaiswara":
            courses = viewer.trainer_courses(sorted(ctx.content.courses))
            if "kursus" in query:
                viewer.require_trainer_of(query["kursus"])
                courses = [query["kursus"], *(c for c in courses if c != query["kursus"])]
            return TrainerPage(ctx, viewer, courses)
        viewer.hr_units()
        return HrPage(ctx, viewer, query.get("jabatan"), _prepared.pop("kepegawaian", None))
    except Refused as exc:
        return refusal(str(exc))
    except MeritError as exc:
        return problem(str(exc))


def tampilkan(halaman: str) -> widgets.Widget:
    """Second cell of a page notebook."""
    return build(halaman, _loaded(), request_environ())
