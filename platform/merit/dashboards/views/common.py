"""What every page shares: HTML tables, the page header, refusals and errors."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import ipywidgets as widgets

from merit.access import Refused, Viewer
from merit.errors import MeritError

FULL = widgets.Layout(width="100%")
# Pages are served at <base>voila/render/NAME.ipynb; links relative to that reach Merit's own
# handlers whatever the base is ("/" for `merit serve`, "/services/merit-halaman/" on the hub).
HOME = "../../"


def esc(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return html.escape(str(value))


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: Iterable[int] = (), css: str = "") -> str:
    """An HTML table; ``numeric`` columns are right-aligned. Cells are escaped unless wrapped in :class:`Raw`."""
    right = set(numeric)

    def cell(tag: str, index: int, value: object) -> str:
        cls = ' class="angka"' if index in right else ""
        text = value.html if isinstance(value, Raw) else esc(value)
        return f"<{tag}{cls}>{text}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows)
    return f'<table class="merit-tabel {css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class Raw:
    """HTML that a table cell shows as it is (built by Merit, never from user input)."""

    def __init__(self, markup: str) -> None:
        self.html = markup


def heading(title: str, viewer: Viewer, note: str = "") -> widgets.HTML:
    who = f"{esc(viewer.name)} ({esc(viewer.username)}; peran: {esc(viewer.roles_text)})"
    extra = f'<p class="merit-catatan">{esc(note)}</p>' if note else ""
    return widgets.HTML(
        f'<h1 style="margin-bottom:0">{esc(title)}</h1>'
        f'<p class="merit-catatan">Masuk sebagai {who} · <a href="{HOME}">Beranda</a> · '
        f'<a href="{HOME}keluar">Keluar</a></p>'
        f"{extra}",
        layout=FULL,
    )


def refusal(message: str) -> widgets.HTML:
    return widgets.HTML(
        f'<div class="merit-tolak" role="alert"><b>Akses ditolak.</b> {esc(message)}</div>', layout=FULL
    )


def problem(message: str) -> widgets.HTML:
    return widgets.HTML(f'<div class="merit-tolak" role="alert">{esc(message)}</div>', layout=FULL)


def guarded(target: widgets.Box | widgets.Output, action: Callable[[], Any]) -> Callable[..., None]:
    """A callback that shows a refusal or a user error in ``target`` instead of failing silently."""

    def run(*_args: object) -> None:
        try:
            action()
        except Refused as exc:
            target.children = [refusal(str(exc))]
        except MeritError as exc:
            target.children = [problem(str(exc))]

    return run
