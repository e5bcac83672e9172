"""The ``merit`` Voila template renders any notebook offline: icons and formulas, no CDN."""

from __future__ import annotations

import sys
import urllib.request

import nbformat
import pytest

from merit.serve.voila import SHARE, TEMPLATE, jupyter_path_with_template
from tests.pages.conftest import free_port, python_env, start_server, stop_server

pytestmark = pytest.mark.e2e


def notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell("import ipywidgets as w\nw.Button(description='Unduh laporan', icon='download')"),
        nbformat.v4.new_markdown_cell(
            "Rumus JPM: $\\frac{\\sum \\text{level dimiliki}}{\\sum \\text{level}} \\times 100$"
        ),
    ]
    return nb


def test_template_ships_with_the_package():
    folder = SHARE / "voila" / "templates" / TEMPLATE
    assert (folder / "index.html.j2").is_file() and (folder / "conf.json").is_file()
    assert jupyter_path_with_template({"JUPYTER_PATH": "/x"}).split(":") == [str(SHARE), "/x"]


def test_any_notebook_renders_offline_with_icons_and_mathjax(tmp_path, context, offline):
    nbformat.write(notebook(), tmp_path / "contoh.ipynb")
    port = free_port()
    argv = [sys.executable, "-m", "merit.serve.voila", "contoh.ipynb", "--no-browser", f"--port={port}"]
    server = start_server(argv + ["--Voila.ip=127.0.0.1"], port, tmp_path / "voila.log", python_env(), tmp_path)
    try:
        html = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=60).read().decode()
        assert "cdn.jsdelivr.net" not in html and "cdnjs" not in html
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        button = page.get_by_role("button", name="Unduh laporan")
        button.wait_for()
        # The icon is drawn with Font Awesome from Voila's own bundle, not from a CDN.
        family = page.evaluate(
            "getComputedStyle(document.querySelector('button i.fa-download'), '::before').fontFamily"
        )
        assert "Font Awesome 5 Free" in family
        page.wait_for_function("document.fonts.check('900 14px \"Font Awesome 5 Free\"')")
        # The formula is typeset by JupyterLab's bundled MathJax 3.
        page.locator("mjx-container").first.wait_for()
        page.close()
    finally:
        stop_server(server)
    assert offline.blocked == []
