"""The grading engine's cheaper paths give stock's results: the same hash, dates, verdicts and errors."""

from __future__ import annotations

import random
import warnings

import pytest
import stack_data
from ipykernel.compiler import murmur2_x86 as stock_murmur2
from IPython.core.interactiveshell import _should_be_async as stock_should_be_async
from jupyter_client.jsonutil import extract_dates as stock_extract_dates
from nbformat.v4 import nbbase, new_output, output_from_msg
from nbformat.validator import ValidationError
from pygments.formatters import HtmlFormatter, Terminal256Formatter
from pygments.styles import get_style_by_name
from stack_data.utils import _pygmented_with_ranges as stock_pygmented

from merit.grading import kernelfast, msgdates, outputschema
from merit.grading.kernelfast import murmur2_x86


def test_cell_hash_is_ipykernels() -> None:
    rng = random.Random(2017)
    alphabet = "abcXYZ 019\n\t\"'#é漢🙂\x00\x7f"
    texts = [
        "",
        "a",
        "ab",
        "abc",
        "abcd",
        "abcde",
        "print('halo')\n",
        "# TULIS JAWABAN ANDA DI SINI\nraise NotImplementedError()",
    ]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 400))) for _ in range(500)]
    for text in texts:
        seed = rng.choice([0, 0xC70F6907, 0xFFFFFFFF, rng.getrandbits(32)])
        assert murmur2_x86(text, seed) == stock_murmur2(text, seed), (text, seed)


VALID = [
    new_output("stream", name="stdout", text="Sudah ikut pelatihan integritas: 75.0 persen\n"),
    new_output("execute_result", data={"text/plain": "57.1"}, execution_count=3),
    new_output("display_data", data={"text/html": "<b>JPM</b>", "text/plain": "JPM"}, metadata={"isolated": True}),
    new_output("error", ename="AssertionError", evalue="salah", traceback=["\x1b[0;31mAssertionError\x1b[0m: salah"]),
]
INVALID = [
    {"output_type": "stream", "name": "stdout"},  # no text
    {"output_type": "execute_result", "data": {"text/plain": 1}, "metadata": {}, "execution_count": 1},
    {"output_type": "error", "ename": "E", "evalue": "v", "traceback": "not a list"},
    {"output_type": "bogus"},
    {"output_type": "stream", "name": "stdout", "text": "x", "extra": True},
]


@pytest.fixture
def stock_validate():
    """nbformat's own ``validate``, which the compiled check wraps."""
    outputschema.apply()
    return nbbase.validate.__wrapped__


def test_valid_outputs_pass_both(stock_validate) -> None:
    for output in VALID:
        assert stock_validate(output, "output") is None
        assert nbbase.validate(output, "output") is None
    message = {"header": {"msg_type": "stream"}, "content": {"name": "stderr", "text": "peringatan\n"}}
    assert output_from_msg(message) == new_output("stream", name="stderr", text="peringatan\n")


def test_invalid_outputs_raise_stocks_error(stock_validate) -> None:
    for output in INVALID:
        with pytest.raises(ValidationError) as stock:
            stock_validate(output, "output")
        with pytest.raises(ValidationError) as ours:
            nbbase.validate(output, "output")
        assert str(ours.value) == str(stock.value)


def test_apply_twice_wraps_once() -> None:
    outputschema.apply()
    installed = nbbase.validate
    outputschema.apply()
    assert nbbase.validate is installed


def test_message_dates_are_jupyter_clients() -> None:
    stamp = "2026-11-23T19:28:30.182667Z"
    header = {
        "msg_id": "d94382b4_7439_1",
        "msg_type": "status",
        "username": "peserta",
        "session": "d94382b4",
        "date": stamp,
        "version": "5.4",
        "subshell_id": None,
    }
    samples = [
        header,
        {"header": header, "parent_header": {}, "list": [stamp, ("2026-11-23T19:28:30Z", 3)], "n": 1.5},
        stamp,
        "2026-11-23T19:28:30.182Z",
        "2026-11-23T19:28:30+07:00",
        "2026-11-23T19:28:30.182667+00:00",
        "2026-11-23",
        "",
        "²026-11-23T19:28:30.182667Z",
        "teks biasa",
        7,
        None,
    ]
    for sample in samples:
        ours, stock = msgdates.extract_dates(sample), stock_extract_dates(sample)
        assert ours == stock and type(ours) is type(stock), sample
    assert msgdates.extract_dates(header)["date"].tzinfo is stock_extract_dates(header)["date"].tzinfo
    for bad in ("2026-13-23T19:28:30.182667Z", "2026-11-23T25:28:30.182667Z", "١٢٣٤-١١-٢٣T19:28:30.182667Z"):
        with pytest.raises(ValueError) as stock:
            stock_extract_dates(bad)
        with pytest.raises(ValueError) as ours:
            msgdates.extract_dates(bad)
        assert str(ours.value) == str(stock.value)


def test_await_check_repeats_a_compile_warning_as_stock_does() -> None:
    calls: list[str] = []

    def check(cell: str) -> bool:
        calls.append(cell)
        return stock_should_be_async(cell)

    ours = kernelfast._async_checked_once(check)
    warning_cell = "x = 1\nprint(x is 1)\n"
    for should in (stock_should_be_async, ours):
        with warnings.catch_warnings(record=True) as shown:
            warnings.simplefilter("default")
            assert should(warning_cell) is False and should(warning_cell) is False
        assert [w.category for w in shown] == [SyntaxWarning, SyntaxWarning], should
    calls.clear()
    assert ours("await asyncio.sleep(0)\n") is True and ours("await asyncio.sleep(0)\n") is True
    assert ours("x = 1\n") is False and ours("x = 1\n") is False
    assert calls == ["await asyncio.sleep(0)\n", "x = 1\n"]


def test_traceback_lines_are_highlighted_as_stack_datas() -> None:
    code = "def rerata(nilai):\n    return sum(nilai) / len(nilai)\n\nassert rerata([]) == 0, 'kosong'  # 漢\n"
    style = stack_data.style_with_executing_node(get_style_by_name("default"), "bg:ansiyellow")
    formatters = [Terminal256Formatter(style=style), HtmlFormatter(style=style, nowrap=True)]
    for formatter in formatters:
        for ranges in ([], [(4, 10)], [(35, 55), (62, 70)], [(0, len(code))]):
            assert kernelfast._pygmented_with_ranges(formatter, code, ranges) == stock_pygmented(
                formatter, code, ranges
            )
        marked = kernelfast._pygmented_with_ranges(formatter, code, [(4, 10)])
        assert marked != kernelfast._pygmented_with_ranges(formatter, code, []), "the executing node is marked"
    assert kernelfast._pygmented_with_ranges(Terminal256Formatter(), "x = 1\n", []) == stock_pygmented(
        Terminal256Formatter(), "x = 1\n", []
    )
