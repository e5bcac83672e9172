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
* **One lexer class for highlighted traceback lines.** For each frame it shows, stack_data
  highlights the code with a subclass of pygments' Python lexer that marks the executing
  node; it defines that subclass anew on every call, and pygments compiles a lexer's
  token rules once per class, so every traceback recompiled all of them (about 5 ms). The
  subclass is now defined once per lexer class, so a kernel compiles them at its first
  such traceback only; the ranges travel on the instance, and the tokens, and so the
  coloured text, are the same.
* **Cell file names hashed in fewer steps.** ipykernel names every cell's code after a
  MurmurHash2 of its text, written in Python one byte at a time (about 0.3 ms for a
  900-character cell). The same hash, reading four bytes at a time, takes a third of
  that; the file names, which tracebacks and ``inspect`` see, are the same.
* **Message timestamps read without dateutil** (:mod:`merit.grading.msgdates`), to the
  same ``datetime`` objects.
* **Cells transformed once.** ipykernel runs IPython's input transformers over a cell
  and checks whether it needs ``await``; then ``run_cell`` does both again on the same
  text. Both are pure functions of the text (and of the transformer lists, which are
  part of the cache key). A check that printed a compile-time warning is not
  remembered, so that the warning is printed twice, as stock prints it; a remembered check
  is used once, so every cell's first check compiles it (the test-cell guard,
  :mod:`merit.grading.cellguard`, restores the kernel at that compile).
"""

from __future__ import annotations

import functools
import struct
import warnings
from collections.abc import Callable
from types import TracebackType
from typing import Any

import pygments
from IPython.core.inputtransformer2 import TransformerManager
from IPython.core.ultratb import AutoFormattedTB
from pygments.formatters.terminal256 import Terminal256Formatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name

from merit.grading import msgdates, patches


def apply() -> None:
    """Install the shortcuts in this process (the zygote, before any fork).

    Each is installed only if :mod:`merit.grading.patches` finds its target as it was
    written for; otherwise the stock code stays, and the refusal is logged once.
    """
    patches.install("pygmented-lexer-once", lambda _stock: _pygmented_with_ranges)
    patches.install("executing-style-once", functools.lru_cache(maxsize=16))
    patches.install("terminal-colours-once", _styles_once)
    patches.install("traceback-once", _formatted_once)
    patches.install("transform-once", _transformed_once)
    patches.install("await-check-once", _async_checked_once)
    patches.install("cell-hash", lambda _stock: murmur2_x86)
    msgdates.apply()


_M = 0x5BD1E995
_MASK = 0xFFFFFFFF


def murmur2_x86(data: str, seed: int) -> int:
    """``ipykernel.compiler.murmur2_x86``, the same value for every text and seed, reading
    the UTF-8 bytes as little-endian 32-bit words instead of one byte at a time."""
    raw = data.encode("utf8")
    length = len(raw)
    h = seed ^ length
    end = length & ~3
    for (k,) in struct.iter_unpack("<I", raw[:end]):
        k = (k * _M) & _MASK
        k ^= k >> 24
        h = ((h * _M) & _MASK) ^ ((k * _M) & _MASK)
    if end < length:
        h ^= int.from_bytes(raw[end:], "little")
        h = (h * _M) & _MASK
    h ^= h >> 13
    h = (h * _M) & _MASK
    return h ^ (h >> 15)


def _pygmented_with_ranges(formatter: Any, code: str, ranges: list[tuple[int, int]]) -> list[str]:
    """``stack_data.utils._pygmented_with_ranges``, with the lexer subclass defined once per base class."""
    lexer = _range_lexer(type(get_lexer_by_name("python3")))(stripnl=False)
    lexer.executing_ranges = ranges  # type: ignore[attr-defined]  # declared on _range_lexer's subclass
    try:
        highlighted = pygments.highlight(code, lexer, formatter)
    except Exception:  # as stack_data: code without colours rather than no traceback
        highlighted = code
    return highlighted.splitlines()


@functools.cache
def _range_lexer(base: type[Lexer]) -> type[Lexer]:
    """stack_data's lexer that marks the tokens inside the executing node's ranges."""

    class MyLexer(base):  # type: ignore[valid-type,misc]
        executing_ranges: list[tuple[int, int]]

        def get_tokens(self, text: str) -> Any:  # stack_data's signature
            length = 0
            for ttype, value in super().get_tokens(text):
                if any(start <= length < end for start, end in self.executing_ranges):
                    ttype = ttype.ExecutingNode
                length += len(value)
                yield ttype, value

    return MyLexer


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


def _async_checked_once(check: Callable[[str], bool]) -> Callable[[str], bool]:
    """``_should_be_async`` that remembers its last cell, unless checking it printed a warning.

    The check compiles the cell, and Python prints a compile-time warning (``SyntaxWarning:
    "is" with a literal``, an invalid escape) on every compile: stock IPython, checking
    each cell twice, prints it twice. A cell whose check printed one is checked again, so
    the warning appears as often as in stock. Which warnings print is left to the filters
    as they are: only the function that shows them is wrapped, for the one call.
    """
    last: list[Any] = []  # [cell, result]

    @functools.wraps(check)
    def _should_be_async(cell: str) -> bool:
        if last and last[0] == cell:
            result = bool(last[1])
            last.clear()  # once: the next run of the same text is checked (and compiled) again
            return result
        shown: list[Any] = []
        show = warnings._showwarnmsg  # type: ignore[attr-defined]  # what warn_explicit calls to print

        def noting(message: Any) -> None:
            shown.append(message)
            show(message)

        warnings._showwarnmsg = noting  # type: ignore[attr-defined]
        try:
            result = check(cell)
        finally:
            warnings._showwarnmsg = show  # type: ignore[attr-defined]
        last[:] = [] if shown else [cell, result]
        return result

    return _should_be_async


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
