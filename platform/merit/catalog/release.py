"""What the build changes in a module before nbgrader releases it: no key in sight, no code in the way.

Two things a trainer writes would otherwise reach the learner:

* the order of an item's options. Trainers write the right option first (or the
  best-weighted one, or a ranking in its key order) far more often than not, and that order
  is in the released file and, where code shows, on screen. The build rewrites every
  ``pilihan={...}`` literal into a canonical order that depends on the item and option ids
  only (:func:`canonical_order`), so the released order carries nothing the trainer chose;
  the widget then shuffles it again per learner.
* the code that builds a question. A learner who does not program sees a 15-line Python
  cell above each question. Cells that only import ``merit_widgets``, build or show items,
  score them or show the Submit button are collapsed and locked for the learner
  (``jupyter.source_hidden``, ``editable: false``, ``deletable: false``: JupyterLab's own cell
  metadata). Voila never shows code anyway.

The rewrite happens on the course directory's copy of the source, before nbgrader's
generate_assignment, so nbgrader's checksums, the release and autograde all see the same
cells.
"""

from __future__ import annotations

import ast
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import nbformat

from merit_widgets import JENIS_SOAL

ITEM_CLASSES = frozenset(cls.__name__ for cls in JENIS_SOAL)
# Cells made only of these calls are the question machinery a learner does not need to read.
_MACHINERY_CALLS = ITEM_CLASSES | {"nilai", "wajib_dijawab", "TombolKirim"}


def canonical_order(item_id: str, keys: list[str]) -> list[str]:
    """The option keys of ``item_id`` in an order fixed by the ids alone, unrelated to the key."""
    return sorted(keys, key=lambda key: hashlib.sha256(f"merit-urutan/{item_id}/{key}".encode()).hexdigest())


def _called(node: ast.AST) -> str | None:
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


@dataclass(frozen=True)
class ItemOptions:
    """One item's options as written in a cell: its id, variable, class and option keys in order."""

    item_id: str
    variable: str | None
    cls: str
    keys: list[str]
    texts: dict[str, str]
    shuffled: bool
    node: ast.Dict


def item_options(source: str) -> Iterator[ItemOptions]:
    """Every item in ``source`` whose options are a literal dict (with literal id)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    variables = {
        id(node.value): node.targets[0].id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
    }
    for node in ast.walk(tree):
        if _called(node) not in ITEM_CLASSES:
            continue
        assert isinstance(node, ast.Call)
        keywords = {k.arg: k.value for k in node.keywords}
        first = node.args[0] if node.args else keywords.get("id")
        options = keywords.get("pilihan") or (node.args[2] if len(node.args) > 2 else None)
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str) and isinstance(options, ast.Dict)):
            continue
        if not all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in options.keys):
            continue
        keys = [k.value for k in options.keys]  # type: ignore[union-attr]
        texts = {}
        for key, value in zip(keys, options.values, strict=True):
            try:
                texts[key] = str(ast.literal_eval(value))
            except ValueError:
                texts[key] = ""
        shuffle = keywords.get("acak")
        shuffled = not (isinstance(shuffle, ast.Constant) and shuffle.value is False)
        yield ItemOptions(first.value, variables.get(id(node)), _called(node) or "", keys, texts, shuffled, options)


def _offset(lines: list[str], line: int, column: int) -> int:
    """Character offset of (1-based line, UTF-8 byte column) in the joined source."""
    text = lines[line - 1]
    return sum(len(previous) for previous in lines[: line - 1]) + len(text.encode()[:column].decode())


def canonicalise_source(source: str) -> str:
    """``source`` with every item's options in :func:`canonical_order`, formatting kept."""
    items = sorted(item_options(source), key=lambda item: item.node.lineno, reverse=True)
    lines = source.splitlines(keepends=True)
    for item in items:
        order = canonical_order(item.item_id, item.keys)
        if order == item.keys:
            continue
        node = item.node
        entries = {}
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            assert key_node is not None and value_node.end_lineno is not None
            start = _offset(lines, key_node.lineno, key_node.col_offset)
            end = _offset(lines, value_node.end_lineno, value_node.end_col_offset or 0)
            entries[key_node.value] = "".join(lines)[start:end]  # type: ignore[attr-defined]
        first = node.keys[0]
        assert first is not None and node.end_lineno is not None
        indent = " " * first.col_offset
        closing = " " * (len(lines[node.end_lineno - 1]) - len(lines[node.end_lineno - 1].lstrip()))
        text = "".join(lines)
        start = _offset(lines, node.lineno, node.col_offset)
        end = _offset(lines, node.end_lineno, node.end_col_offset or 0)
        rebuilt = "{\n" + "".join(f"{indent}{entries[key]},\n" for key in order) + closing + "}"
        text = text[:start] + rebuilt + text[end:]
        lines = text.splitlines(keepends=True)
    return "".join(lines)


def is_machinery(source: str) -> bool:
    """True for a cell that only imports merit_widgets, builds, shows or scores items."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    body = [
        node
        for node in tree.body
        if not (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))  # comments/docstrings
    ]
    if not body:
        return False
    for node in body:
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "merit_widgets":
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Name):
            continue  # showing an item built above
        if isinstance(node, (ast.Assign, ast.Expr)) and _called(node.value) in _MACHINERY_CALLS:
            continue
        return False
    return True


def hide(cell: nbformat.NotebookNode) -> None:
    """Collapse and lock a cell for the learner (JupyterLab's own metadata)."""
    cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    cell.metadata["editable"] = False
    cell.metadata["deletable"] = False


def prepare_for_release(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Canonicalise option order and hide the question machinery of a source notebook, in place."""
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        cell.source = canonicalise_source(cell.source)
        if cell.metadata.get("nbgrader", {}).get("locked") or cell.metadata.get("nbgrader", {}).get("grade"):
            if is_machinery(_without_hidden_tests(cell.source)):
                hide(cell)
    return notebook


def _without_hidden_tests(source: str) -> str:
    """A test cell as the learner receives it, hidden-test markers dropped (the body is code too)."""
    return "\n".join(line for line in source.splitlines() if not line.strip().startswith("### "))
