"""Merit's upstream patches: each fits the installed libraries, gives stock's results, and
leaves stock code running, with one warning, when its target is missing or reshaped."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import importlib
import json
import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
import stack_data
from IPython.core.inputtransformer2 import TransformerManager
from IPython.core.ultratb import AutoFormattedTB
from jupyter_client import AsyncKernelClient, AsyncKernelManager
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.preprocessors import CheckCellMetadata, SaveAutoGrades
from pygments.formatters.terminal256 import Terminal256Formatter
from pygments.styles import get_style_by_name

from merit.grading import kernelfast, patches, preprocessors
from merit.grading.engine import grade_assignment
from merit.grading.kernel import FastReadyClient, ZygoteKernelManager
from merit.grading.sandbox import Sandbox
from tests.grading_support import autograded_outline, gradebook_dump, quickstart_course, stock_autograde

ROOT = Path(__file__).resolve().parents[1]
LOGGER = "merit.grading.patches"


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    """Every test checks the patches anew, and leaves no verdict behind."""
    patches.forget()
    preprocessors._validator.cache_clear()
    yield
    patches.forget()
    preprocessors._validator.cache_clear()


def replaced(monkeypatch: pytest.MonkeyPatch, key: str, **changes: object) -> patches.Patch:
    """Make the inventory's record of ``key`` differ from the installed library the way an
    upgrade would look to the check (another version, another source)."""
    patch = dataclasses.replace(patches.inventory()[key], **changes)  # type: ignore[arg-type]
    inventory = tuple(patch if p.key == key else p for p in patches.INVENTORY)
    monkeypatch.setattr(patches, "INVENTORY", inventory)
    return patch


def refusals(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]


# -- the inventory ------------------------------------------------------------------------


def test_every_patch_fits_the_installed_libraries() -> None:
    found = {patch.key: patches.problems(patch) for patch in patches.INVENTORY}
    assert {key: problems for key, problems in found.items() if problems} == {}
    assert all(patches.report().values())


def test_inventory_names_each_touch_once_and_completely() -> None:
    keys = [patch.key for patch in patches.INVENTORY]
    assert len(keys) == len(set(keys))
    for patch in patches.INVENTORY:
        assert (
            patch.why
            and patch.module.startswith("merit.")
            and patch.how
            in {
                "replaced",
                "wrapped",
                "copied",
                "subclassed",
                "read",
            }
        ), patch.key
        assert patch.fallback in {"stock", "none"}, patch.key
        assert (patch.digest is None) == (not patch.mirrors), f"{patch.key}: a copy carries its source's digest"
        assert all(other in keys for other in patch.requires), patch.key
        assert Path(ROOT / "platform" / (patch.module.replace(".", "/") + ".py")).is_file(), patch.module


def test_contributing_notes_list_the_inventory() -> None:
    notes = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    assert patches.inventory_markdown() in notes, (
        "docs/contributing.md's patch table differs from merit.grading.patches: paste patches.inventory_markdown()"
    )


# -- a missing or reshaped target: stock runs, one warning ---------------------------------


@pytest.mark.parametrize(
    ("key", "owner", "name"),
    [
        ("cell-hash", "ipykernel.compiler", "murmur2_x86"),
        ("message-dates", "jupyter_client.session", "extract_dates"),
        ("hidden-tests-region", "nbgrader.preprocessors:ClearHiddenTests", "_remove_hidden_test_region"),
        ("show-warning-hook", "warnings", "_showwarnmsg"),
    ],
)
def test_missing_target_is_not_created_and_is_reported_once(
    key: str, owner: str, name: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    holder = patches.resolve(owner) if ":" in owner else importlib.import_module(owner)
    monkeypatch.delattr(holder, name)  # as if the library renamed it
    monkeypatch.setattr(patches, "_stock", {})  # nothing installed yet in this process
    caplog.set_level(logging.WARNING, LOGGER)
    assert patches.install(key, lambda stock: stock) is False
    assert patches.install(key, lambda stock: stock) is False
    assert not hasattr(holder, name), "no attribute nobody reads"
    [message] = refusals(caplog)
    assert f"patch {key} " in message and "is missing" in message
    if patches.inventory()[key].fallback == "stock":
        assert "runs instead" in message


def test_reshaped_target_stays_stock(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    stock = AutoFormattedTB.structured_traceback

    def structured_traceback(self, etype, evalue, etb=None, tb_offset=None, context=5, *, chained=True):  # noqa: ANN001, ANN202
        return stock(self, etype, evalue, etb, tb_offset, context)

    monkeypatch.setattr(AutoFormattedTB, "structured_traceback", structured_traceback)  # a new keyword upstream
    caplog.set_level(logging.WARNING, LOGGER)
    assert patches.install("traceback-once", kernelfast._formatted_once) is False
    assert AutoFormattedTB.structured_traceback is structured_traceback
    [message] = refusals(caplog)
    assert "takes (self, etype, evalue, etb=None, tb_offset=None, context=5, *, chained=True)" in message


def test_caller_that_stopped_calling_the_target_is_reported(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from jupyter_client import session

    stock = session.Session.deserialize

    def deserialize(self, msg_list, content=True, copy=True):  # noqa: ANN001, ANN202 - a later jupyter_client
        return stock(self, msg_list, content, copy)

    monkeypatch.setattr(session.Session, "deserialize", deserialize)
    caplog.set_level(logging.WARNING, LOGGER)
    assert patches.usable("message-dates") is False
    assert "jupyter_client.session:Session.deserialize no longer uses extract_dates" in refusals(caplog)[0]


def test_version_outside_the_checked_range_is_refused(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    replaced(monkeypatch, "transform-once", written_for="8.0", below="9.0")  # installed: IPython 9
    caplog.set_level(logging.WARNING, LOGGER)
    assert patches.usable("transform-once") is False
    assert "ipython 9." in refusals(caplog)[0] and "is not in [8.0, 9.0)" in refusals(caplog)[0]


def test_kernel_fast_paths_fall_back_one_by_one_in_a_fresh_kernel_process() -> None:
    """As the zygote applies them: an upgraded IPython reshaped the traceback formatter and
    ipykernel renamed its hash; the other shortcuts still go in, a traceback still formats,
    and each left-out patch is logged once, also when applied twice."""
    script = """
import json, logging, sys
logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(name)s %(message)s")
from IPython.core.ultratb import AutoFormattedTB
from ipykernel import compiler
import stack_data
stock_format = AutoFormattedTB.structured_traceback
def structured_traceback(self, etype, evalue, etb=None, tb_offset=None, context=5, *, chained=True):
    return stock_format(self, etype, evalue, etb, tb_offset, context)
AutoFormattedTB.structured_traceback = structured_traceback
del compiler.murmur2_x86
stock_style = stack_data.style_with_executing_node
from merit.grading import kernelfast
kernelfast.apply()
kernelfast.apply()
try:
    1 / 0
except ZeroDivisionError:
    lines = AutoFormattedTB(mode="Context", theme_name="linux").structured_traceback(*sys.exc_info())
print(json.dumps({
    "traceback_stock": AutoFormattedTB.structured_traceback is structured_traceback,
    "hash_created": hasattr(compiler, "murmur2_x86"),
    "style_cached": stack_data.style_with_executing_node is not stock_style,
    "formatted": any("ZeroDivisionError" in line for line in lines),
}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(done.stdout) == {
        "traceback_stock": True,
        "hash_created": False,
        "style_cached": True,
        "formatted": True,
    }
    warned = [line for line in done.stderr.splitlines() if line.startswith(LOGGER)]
    assert len(warned) == 2, done.stderr
    assert any("traceback-once" in line for line in warned) and any("cell-hash" in line for line in warned)


def test_sandbox_hook_that_does_not_fit_refuses_grading(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    replaced(monkeypatch, "zygote-kernels", below="8.0")  # installed: jupyter_client 8.10
    with pytest.raises(patches.UpstreamChanged, match=r"Penilaian dihentikan: .*zygote-kernels \(jupyter_client 8\."):
        grade_assignment(quickstart_course(tmp_path), "ps1", Sandbox.detect())
    assert not (tmp_path / "course101" / "autograded").exists(), "nothing was graded"


# -- each patch against the stock code it replaces ----------------------------------------
# Already in tests/test_grading_fastpaths.py: cell-hash, message-dates, output-schema,
# await-check-once (with show-warning-hook), pygmented-lexer-once. The sandbox's own hooks
# (zygote-kernels, kernel-start-once, cell-guard-*) are compared with stock nbgrader by
# tests/test_grading_identical.py, which grades through them.


def test_executing_style_cache_gives_stocks_styles() -> None:
    stock = patches.resolve("stack_data:style_with_executing_node")
    cached = functools.lru_cache(maxsize=16)(stock)
    code = "nilai = [80, 90]\nrerata = sum(nilai) / len(nilai)\n"
    for name in ("default", "monokai", "friendly"):
        for modifier in ("bg:ansiyellow", "bold"):
            ours, theirs = cached(get_style_by_name(name), modifier), stock(get_style_by_name(name), modifier)
            assert dict(ours.styles) == dict(theirs.styles)
            assert cached(get_style_by_name(name), modifier) is ours
            assert stack_data.utils._pygmented_with_ranges(
                Terminal256Formatter(style=ours), code, [(0, 5)]
            ) == stack_data.utils._pygmented_with_ranges(Terminal256Formatter(style=theirs), code, [(0, 5)])


def test_terminal_colours_once_give_stocks_mapping() -> None:
    stock = patches.resolve("pygments.formatters.terminal256:Terminal256Formatter._setup_styles")

    class Stock(Terminal256Formatter):
        _setup_styles = stock

    class Ours(Terminal256Formatter):
        _setup_styles = kernelfast._styles_once(stock)

    for name in ("default", "monokai", "solarized-dark"):
        for options in ({}, {"nobold": True}, {"nounderline": True, "noitalic": True}):
            for _ in range(2):  # the second is served from the cache
                ours, theirs = Ours(style=name, **options), Stock(style=name, **options)
                assert ours.style_string == theirs.style_string
                assert ours.best_match == theirs.best_match


def test_traceback_once_gives_stocks_lines_each_time() -> None:
    stock = patches.resolve("IPython.core.ultratb:AutoFormattedTB.structured_traceback")

    class Ours(AutoFormattedTB):
        structured_traceback = kernelfast._formatted_once(stock)  # type: ignore[assignment]

    def failure(text: str) -> tuple[type[BaseException], BaseException, object]:
        try:
            json.loads(text)
        except ValueError as error:
            return type(error), error, error.__traceback__
        raise AssertionError

    first, second = failure("{"), failure("[1,")
    for mode in ("Context", "Plain", "Verbose", "Minimal"):
        ours, theirs = Ours(mode=mode, theme_name="linux"), AutoFormattedTB(mode=mode, theme_name="linux")
        for etype, evalue, etb in (first, first, second, first):
            assert ours.structured_traceback(etype, evalue, etb) == stock(theirs, etype, evalue, etb)
            assert ours.tb is theirs.tb
        assert ours.structured_traceback(*first, tb_offset=1) == stock(theirs, *first, tb_offset=1)


def test_transform_once_gives_stocks_text() -> None:
    stock = patches.resolve("IPython.core.inputtransformer2:TransformerManager.transform_cell")

    class Ours(TransformerManager):
        transform_cell = kernelfast._transformed_once(stock)  # type: ignore[assignment]

    cells = [
        "x = 1\n",
        "%time x = 1",
        "!ls\nfiles = !ls\n",
        "len?\n",
        "def f():\n    return 1\n",
        ">>> a = 1\n>>> a\n",
        "x = 1\n",
    ]
    ours, theirs = Ours(), TransformerManager()
    for cell in cells * 2:
        assert ours.transform_cell(cell) == stock(theirs, cell)
    ours.line_transforms.append(lambda lines: [line.upper() for line in lines])
    theirs.line_transforms.append(lambda lines: [line.upper() for line in lines])
    assert ours.transform_cell("x = 1\n") == stock(theirs, "x = 1\n") == "X = 1\n"


def test_metadata_validator_is_nbgraders_current_one_compiled() -> None:
    assert issubclass(preprocessors.FastMetadataValidator, MetadataValidator)
    ours, theirs = preprocessors._validator(), MetadataValidator()
    assert type(ours) is preprocessors.FastMetadataValidator
    for path in sorted((ROOT / "courses").glob("*/source/*/*.ipynb"))[:6]:
        nb = nbformat.read(path, as_version=4)
        cells = [c for c in nb.cells if "nbgrader" in c.metadata]
        assert cells, path
        ours.validate_nb(nb)
        theirs.validate_nb(nb)
        for change in ({"points": "dua"}, {"grade_id": ""}, {"schema_version": 1}, {"solution": None}):
            broken = nbformat.from_dict(json.loads(json.dumps(nb)))
            broken.cells[nb.cells.index(cells[0])].metadata.nbgrader.update(change)
            errors = []
            for validator in (ours, theirs):
                with pytest.raises(Exception) as error:  # noqa: PT011 - compared below
                    validator.validate_nb(broken)
                errors.append((type(error.value), str(error.value)))
            assert errors[0] == errors[1], change


def test_check_cell_metadata_refuses_what_stock_refuses() -> None:
    path = sorted((ROOT / "courses").glob("*/source/*/*.ipynb"))[0]
    nb = nbformat.read(path, as_version=4)
    for step in (preprocessors.FastCheckCellMetadata(), CheckCellMetadata()):
        assert step.preprocess(nb, {})[0] is nb
    graded = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    del graded.metadata.nbgrader["points"]
    for step in (preprocessors.FastCheckCellMetadata(), CheckCellMetadata()):
        with pytest.raises(ValidationError, match="Notebook failed to validate"):
            step.preprocess(nb, {})


def test_metadata_validator_falls_back_to_nbgraders(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    replaced(monkeypatch, "metadata-schema-compiled", digest="changed")
    replaced(monkeypatch, "check-metadata-message", digest="changed")
    caplog.set_level(logging.WARNING, LOGGER)
    assert type(preprocessors._validator()) is MetadataValidator
    nb = nbformat.read(sorted((ROOT / "courses").glob("*/source/*/*.ipynb"))[0], as_version=4)
    graded = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    del graded.metadata.nbgrader["points"]
    with pytest.raises(ValidationError) as error:
        preprocessors.FastCheckCellMetadata().preprocess(nb, {})
    assert str(error.value) == "Notebook failed to validate; the nbgrader metadata may be corrupted.", "stock's words"
    assert sorted(m.split()[2] for m in refusals(caplog)) == ["check-metadata-message", "metadata-schema-compiled"]


def test_kernelspec_once_is_jupyter_clients_spec() -> None:
    ours, theirs = ZygoteKernelManager(kernel_name="python3"), AsyncKernelManager(kernel_name="python3")
    assert ours.kernel_spec is not None and theirs.kernel_spec is not None
    assert ours.kernel_spec.to_dict() == theirs.kernel_spec.to_dict()
    assert ZygoteKernelManager(kernel_name="python3").kernel_spec is ours.kernel_spec, "read once"


async def _ready_and_run(client_class: type[AsyncKernelClient]) -> tuple[float, dict[str, object], list[str]]:
    """Start a stock kernel, wait for it with ``client_class``, run a cell; what it answered."""
    km = AsyncKernelManager(kernel_name="python3")
    await km.start_kernel()
    km.client_factory = client_class
    client = km.client()
    try:
        client.start_channels()
        started = time.monotonic()
        await client.wait_for_ready(timeout=60)
        waited = time.monotonic() - started
        shown: list[str] = []

        def output(msg: dict) -> None:
            if msg["msg_type"] == "execute_result":
                shown.append(msg["content"]["data"]["text/plain"])

        reply = await client.execute_interactive("nilai = [80, 95]\nsum(nilai) / len(nilai)", output_hook=output)
        return waited, {"status": reply["content"]["status"], "kernel": client.session.adapt_version}, shown
    finally:
        client.stop_channels()
        await km.shutdown_kernel(now=True)


def test_wait_for_ready_copy_answers_as_stock_does() -> None:
    _, ours, ours_shown = asyncio.run(_ready_and_run(FastReadyClient))
    _, theirs, theirs_shown = asyncio.run(_ready_and_run(AsyncKernelClient))
    assert ours == theirs == {"status": "ok", "kernel": theirs["kernel"]}
    assert ours_shown == theirs_shown == ["87.5"]


def test_wait_for_ready_falls_back_to_stock(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    replaced(monkeypatch, "wait-for-ready", digest="changed")  # jupyter_client's method was rewritten
    caplog.set_level(logging.WARNING, LOGGER)
    waited, answered, shown = asyncio.run(_ready_and_run(FastReadyClient))
    assert waited >= 0.2, "stock waits for 0.2 s of IOPub silence"
    assert answered["status"] == "ok" and shown == ["87.5"]
    [message] = refusals(caplog)
    assert "wait-for-ready" in message and "changed since 8.10.0" in message


def _late_course(tmp_path: Path):  # noqa: ANN202 - a CourseDir
    """nbgrader's quickstart course, due before the learners submitted, late work scoring zero."""
    from nbgrader.api import Gradebook

    course = quickstart_course(tmp_path)
    with (course.root / "nbgrader_config.py").open("a") as config:
        config.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    with Gradebook(course.db_url, course.course_id) as gb:
        gb.update_or_create_assignment("ps1", duedate="2026-11-19 00:00:00 UTC")
    return course


@pytest.mark.parametrize("writer", ["batched", "stock"])
def test_late_work_recorded_as_stock_nbgrader_records_it(
    writer: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """Late learners, one notebook missing: Merit's batched writer, and nbgrader's own
    preprocessors when SaveAutoGrades was rewritten upstream (same behaviour, other code),
    leave what stock ``nbgrader autograde`` leaves."""
    course = _late_course(tmp_path)
    stock_autograde(course, "ps1")
    stock, stock_notebooks = gradebook_dump(course, "ps1"), autograded_outline(course, "ps1")
    assert {v for k, v in stock.items() if k[2] == "late"} > {(0.0,), (None,)}, "late, and a missing notebook"

    if writer == "stock":
        add_comment = SaveAutoGrades._add_comment

        def rewritten(self, cell, resources):  # noqa: ANN001, ANN202
            return add_comment(self, cell, resources)

        monkeypatch.setattr(SaveAutoGrades, "_add_comment", rewritten)
    caplog.set_level(logging.WARNING, LOGGER)
    run = grade_assignment(course, "ps1", Sandbox.detect(), force=True)

    assert sorted(r.student for r in run.graded) == ["blank", "complete", "mixed"]
    assert gradebook_dump(course, "ps1") == stock
    assert autograded_outline(course, "ps1") == stock_notebooks
    expected = ["batched-auto-grades"] if writer == "stock" else []
    assert [m.split()[2] for m in refusals(caplog)] == expected
