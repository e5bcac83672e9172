"""Cheaper paths in the grading kernel that give the same results, bit for bit.

The zygote (:mod:`merit.grading.zygote`) applies these once, before it forks, so every
kernel inherits them. Each one removes work that a stock kernel does twice or for
nothing; none changes what a learner's cell prints, returns or raises, and the error
outputs nbgrader stores stay the ones stock IPython formats.

* **Tracebacks formatted once.** After a cell raises, IPython formats the traceback for
  the error message, and then formats the same exception again, with the same
  arguments, for its history (``_format_exception_for_storage``). Formatting is the
  dearest thing a wrong answer costs (stack_data, pygments, ``inspect.getmodule`` over
  every loaded module), so the second call gets a copy of the first result.
* **Traceback colours worked out once.** For every traceback IPython builds a new
  pygments style class (stack_data's ``style_with_executing_node``) and a new
  ``Terminal256Formatter``, which maps every colour of the style to the nearest of 256
  terminal colours, the same mapping each time. The style is now built once per base
  style and highlight, and the mapping once per style and options; the zygote's warm-up
  traceback fills both before the fork, so no kernel computes them.
* **Cells transformed once.** ipykernel runs IPython's input transformers over a cell
  and checks whether it needs ``await``; then ``run_cell`` does both again on the same
  text. Both are pure functions of the text and of the transformer lists, which are
  part of the cache key.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import TracebackType
from typing import Any

import stack_data
from IPython.core import interactiveshell
from IPython.core.inputtransformer2 import TransformerManager
from IPython.core.ultratb import AutoFormattedTB
from pygments.formatters.terminal256 import Terminal256Formatter


def apply() -> None:
    """Install the shortcuts in this process (the zygote, before any fork)."""
    stack_data.style_with_executing_node = functools.lru_cache(maxsize=16)(stack_data.style_with_executing_node)
    Terminal256Formatter._setup_styles = _styles_once(Terminal256Formatter._setup_styles)  # type: ignore[method-assign]
    AutoFormattedTB.structured_traceback = _formatted_once(AutoFormattedTB.structured_traceback)  # type: ignore[method-assign]
    TransformerManager.transform_cell = _transformed_once(TransformerManager.transform_cell)  # type: ignore[method-assign]
    interactiveshell._should_be_async = functools.lru_cache(maxsize=1)(interactiveshell._should_be_async)


def _formatted_once(format_: Callable[..., list[str]]) -> Callable[..., list[str]]:
    """``AutoFormattedTB.structured_traceback`` that returns a copy of its last result when
    asked again about the same exception object, traceback, offset, context, mode and theme."""
    last: list[Any] = []  # [objects, values, lines]

    @functools.wraps(format_)
    def structured_traceback(
        self: AutoFormattedTB,
        etype: type,
        evalue: BaseException | None,
        etb: TracebackType | tuple[TracebackType, ...] | None = None,
        tb_offset: int | None = None,
        context: int = 5,
    ) -> list[str]:
        same = (self, etype, evalue, etb)  # compared by identity
        equal = (self.tb_offset if tb_offset is None else tb_offset, context, self.mode, self._theme_name)
        if last and all(a is b for a, b in zip(last[0], same, strict=True)) and last[1] == equal:
            self.tb = etb[0] if isinstance(etb, tuple) else etb  # the one side effect of a call
            return list(last[2])
        lines = format_(self, etype, evalue, etb, tb_offset, context)
        last[:] = [same, equal, list(lines)]
        return lines

    return structured_traceback


def _styles_once(setup: Callable[[Terminal256Formatter], None]) -> Callable[[Terminal256Formatter], None]:
    """``Terminal256Formatter._setup_styles`` that maps a style's colours once per style and options.

    The result (two dicts on the formatter) depends only on the style class, the
    formatter class and its bold, underline and italic options.
    """
    done: dict[tuple[Any, ...], tuple[dict[str, Any], dict[str, Any]]] = {}

    @functools.wraps(setup)
    def _setup_styles(self: Terminal256Formatter) -> None:
        key = (type(self), self.style, self.usebold, self.useunderline, self.useitalic)
        if key not in done:
            setup(self)
            done[key] = (dict(self.style_string), dict(self.best_match))
        strings, matches = done[key]
        self.style_string.update(strings)
        self.best_match.update(matches)

    return _setup_styles


def _transformed_once(transform: Callable[[TransformerManager, str], str]) -> Callable[[TransformerManager, str], str]:
    """``TransformerManager.transform_cell`` that remembers its last input and output."""
    last: list[Any] = []  # [manager, inputs, cell]

    @functools.wraps(transform)
    def transform_cell(self: TransformerManager, cell: str) -> str:
        inputs = (cell, tuple(self.cleanup_transforms), tuple(self.line_transforms), tuple(self.token_transformers))
        if last and last[0] is self and last[1] == inputs:
            return str(last[2])
        transformed = transform(self, cell)
        last[:] = [self, inputs, transformed]
        return transformed

    return transform_cell
