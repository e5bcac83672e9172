"""Every place Merit replaces, wraps, copies or reads a private part of an upstream library.

The grading fast paths lean on names that nbgrader, ipykernel, jupyter_client, IPython,
stack_data, pygments and nbformat do not promise to keep. An upgrade could rename a
target (an assignment then creates an attribute nobody reads: speed lost, nobody told)
or change its signature (every kernel then crashes). So each touch is listed here, as
data, with what it relies on; :func:`usable` checks it against the installed library
before the touch is made:

* the installed version is at least the one the patch was written for and below the
  first version it was not checked against (``importlib.metadata``);
* the target exists and has the parameters the patch expects (``inspect.signature``);
* the upstream code that makes the patch worth having still calls it by that name, and
  the target still uses the attributes the patch relies on (the names its bytecode loads);
* names Merit rebinds together are still one object;
* for a copy, the stock source it mirrors is unchanged (a digest of its text).

A patch that fails a check is not applied: stock code runs instead, and one warning per
process names the patch, the reason and what runs instead. Patches marked
``fallback="none"`` have no stock alternative (the sandbox cannot start kernels or guard
test cells without them): :func:`require` refuses to grade, in Indonesian, before any
kernel starts. ``docs/contributing.md`` lists the inventory; a test keeps it in step.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import inspect
import logging
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from merit.errors import MeritError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Patch:
    """One touch of an upstream private name (or a copy of upstream code) and what it relies on.

    Paths are ``module:qualified.name``. ``uses`` pairs say "the code of this path loads this
    name": an upstream caller still calling the target, or the target still using an attribute.
    """

    key: str
    module: str  # the Merit module that makes the touch
    target: str  # what is replaced, wrapped, subclassed or read
    how: str  # replaced | wrapped | copied | subclassed | read
    why: str
    package: str  # the distribution that owns the target ("python" for the standard library)
    written_for: str  # the version it was written and tested for
    below: str  # the first version it was not checked against
    mirrors: tuple[str, ...] = ()  # the stock functions whose behaviour it reproduces
    signature: str | None = None  # the target's parameters, without annotations
    uses: tuple[tuple[str, str], ...] = ()
    same: tuple[str, ...] = ()  # other paths that must be the very object the target is
    also: tuple[str, ...] = ()  # other names for the target, rebound with it (and checked as ``same``)
    digest: str | None = None  # of the ``mirrors`` sources, for a copy
    fallback: str = "stock"  # what runs when a check fails: "stock", or "none" (grading refuses)
    requires: tuple[str, ...] = ()  # other patches it cannot do without


KERNELFAST = "merit.grading.kernelfast"

INVENTORY: tuple[Patch, ...] = (
    Patch(
        key="pygmented-lexer-once",
        module=KERNELFAST,
        target="stack_data.utils:_pygmented_with_ranges",
        how="replaced",
        why="stack_data defines its lexer subclass anew per traceback frame and pygments compiles "
        "a lexer class's rules once per class (about 5 ms a traceback); the copy defines it once",
        package="stack_data",
        written_for="0.6.3",
        below="0.7",
        mirrors=("stack_data.utils:_pygmented_with_ranges",),
        signature="(formatter, code, ranges)",
        uses=(("stack_data.core:FrameInfo._pygmented_scope_lines", "_pygmented_with_ranges"),),
        also=("stack_data.core:_pygmented_with_ranges",),
        digest="d7ab31fd4909d642",
    ),
    Patch(
        key="executing-style-once",
        module=KERNELFAST,
        target="stack_data:style_with_executing_node",
        how="wrapped",
        why="IPython builds a new pygments style class per traceback; cached per style and highlight",
        package="stack_data",
        written_for="0.6.3",
        below="0.7",
        signature="(style, modifier)",
        uses=(("IPython.core.ultratb:VerboseTB.get_records", "style_with_executing_node"),),
    ),
    Patch(
        key="terminal-colours-once",
        module=KERNELFAST,
        target="pygments.formatters.terminal256:Terminal256Formatter._setup_styles",
        how="wrapped",
        why="every Terminal256Formatter maps every colour of its style to the 256 terminal colours; "
        "the mapping is kept per style and options",
        package="pygments",
        written_for="2.21.0",
        below="3",
        signature="(self)",
        uses=(
            ("pygments.formatters.terminal256:Terminal256Formatter._setup_styles", "style_string"),
            ("pygments.formatters.terminal256:Terminal256Formatter.__init__", "best_match"),
            ("pygments.formatters.terminal256:Terminal256Formatter.__init__", "usebold"),
        ),
    ),
    Patch(
        key="traceback-once",
        module=KERNELFAST,
        target="IPython.core.ultratb:AutoFormattedTB.structured_traceback",
        how="wrapped",
        why="IPython formats a cell's exception twice, for the error message and for its history; "
        "the second call gets a copy of the first result",
        package="ipython",
        written_for="9.19.1",
        below="10",
        signature="(self, etype, evalue, etb=None, tb_offset=None, context=5)",
        uses=(
            ("IPython.core.interactiveshell:InteractiveShell._format_exception_for_storage", "structured_traceback"),
            ("IPython.core.ultratb:AutoFormattedTB.structured_traceback", "tb"),
            ("IPython.core.ultratb:FormattedTB.structured_traceback", "mode"),
            ("IPython.core.tbtools:TBTools.set_theme_name", "_theme_name"),
        ),
    ),
    Patch(
        key="transform-once",
        module=KERNELFAST,
        target="IPython.core.inputtransformer2:TransformerManager.transform_cell",
        how="wrapped",
        why="ipykernel and run_cell both transform the same cell text; the second call reuses the first",
        package="ipython",
        written_for="9.19.1",
        below="10",
        signature="(self, cell)",
        uses=(
            ("IPython.core.inputtransformer2:TransformerManager.transform_cell", "cleanup_transforms"),
            ("IPython.core.inputtransformer2:TransformerManager.transform_cell", "line_transforms"),
            ("IPython.core.inputtransformer2:TransformerManager.do_one_token_transform", "token_transformers"),
        ),
    ),
    Patch(
        key="await-check-once",
        module=KERNELFAST,
        target="IPython.core.interactiveshell:_should_be_async",
        how="wrapped",
        why="ipykernel and run_cell both compile a cell to see whether it needs await; "
        "the second check reuses the first unless it printed a compile-time warning",
        package="ipython",
        written_for="9.19.1",
        below="10",
        signature="(cell)",
        uses=(("IPython.core.interactiveshell:InteractiveShell.should_run_async", "_should_be_async"),),
        requires=("show-warning-hook",),
    ),
    Patch(
        key="show-warning-hook",
        module=KERNELFAST,
        target="warnings:_showwarnmsg",
        how="read",
        why="the await check notes whether compiling printed a warning by wrapping, for that one "
        "call, the function warn_explicit calls to print it",
        package="python",
        written_for="3.11.7",
        below="3.12",
        signature="(msg)",
    ),
    Patch(
        key="cell-hash",
        module=KERNELFAST,
        target="ipykernel.compiler:murmur2_x86",
        how="replaced",
        why="ipykernel hashes each cell's text in Python one byte at a time; the copy reads four at a time",
        package="ipykernel",
        written_for="7.4.0",
        below="8",
        mirrors=("ipykernel.compiler:murmur2_x86",),
        signature="(data, seed)",
        uses=(("ipykernel.compiler:get_file_name", "murmur2_x86"),),
        digest="dc534e37af1316fc",
    ),
    Patch(
        key="message-dates",
        module="merit.grading.msgdates",
        target="jupyter_client.session:extract_dates",
        how="replaced",
        why="dateutil parses two timestamps per message (35 µs each); Session's own form is read "
        "with the standard library",
        package="jupyter_client",
        written_for="8.10.0",
        below="9",
        mirrors=("jupyter_client.jsonutil:extract_dates", "jupyter_client.jsonutil:parse_date"),
        signature="(obj)",
        uses=(("jupyter_client.session:Session.deserialize", "extract_dates"),),
        same=("jupyter_client.jsonutil:extract_dates",),
        digest="7f583d37e367964f",
    ),
    Patch(
        key="output-schema",
        module="merit.grading.outputschema",
        target="nbformat.v4.nbbase:validate",
        how="wrapped",
        why="nbformat validates every kernel output with jsonschema, interpreting the schema each "
        "time; a compiled check runs first and stock reports any error",
        package="nbformat",
        written_for="5.11.1",
        below="6",
        signature="(node, ref=None)",
        uses=(
            ("nbformat.v4.nbbase:new_output", "validate"),
            ("nbformat.json_compat:JsonSchemaValidator.__init__", "_schema"),
        ),
    ),
    Patch(
        key="wait-for-ready",
        module="merit.grading.kernel",
        target="jupyter_client.client:KernelClient._async_wait_for_ready",
        how="copied",
        why="the stock client idles until IOPub has been silent for 0.2 s after the kernel answers; "
        "the copy drains what is queued and goes on",
        package="jupyter_client",
        written_for="8.10.0",
        below="9",
        mirrors=("jupyter_client.client:KernelClient._async_wait_for_ready",),
        signature="(self, timeout=None)",
        uses=(
            ("jupyter_client.client:KernelClient._async_wait_for_ready", "_handle_kernel_info_reply"),
            ("jupyter_client.client:KernelClient._async_wait_for_ready", "_async_is_alive"),
        ),
        same=("jupyter_client.asynchronous.client:AsyncKernelClient.wait_for_ready",),
        digest="0b684316054d471d",
    ),
    Patch(
        key="kernelspec-once",
        module="merit.grading.kernel",
        target="jupyter_client.manager:KernelManager.kernel_spec",
        how="replaced",
        why="nbclient builds a kernel manager per notebook and each read kernel.json from disk; "
        "the spec is read once per process",
        package="jupyter_client",
        written_for="8.10.0",
        below="9",
        uses=(("jupyter_client.manager:KernelManager.kernel_spec", "_kernel_spec"),),
    ),
    Patch(
        key="zygote-kernels",
        module="merit.grading.kernel",
        target="jupyter_client.manager:KernelManager._async_pre_start_kernel",
        how="subclassed",
        why="kernels come from the sandboxed zygote over IPC sockets in the slot's folder",
        package="jupyter_client",
        written_for="8.10.0",
        below="9",
        signature="(self, *, transport_encryption=None, **kw)",
        uses=(("jupyter_client.manager:KernelManager._async_start_kernel", "_async_pre_start_kernel"),),
        fallback="none",
    ),
    Patch(
        key="kernel-start-once",
        module="merit.grading.kernelapp",
        target="ipykernel.kernelapp:IPKernelApp.initialize",
        how="subclassed",
        why="every kernel parses its arguments and reads its profile and configuration, the same "
        "for every learner; the zygote does it once",
        package="ipykernel",
        written_for="7.4.0",
        below="8",
        signature="(self, argv=None)",
        uses=(("ipykernel.kernelapp:IPKernelApp.initialize", "initialize"),),
    ),
    Patch(
        key="metadata-schema-compiled",
        module="merit.grading.preprocessors",
        target="nbgrader.nbgraderformat:MetadataValidator",
        how="subclassed",
        why="nbgrader checks every cell's metadata with jsonschema, interpreting the schema per cell; "
        "the same schema is compiled once",
        package="nbgrader",
        written_for="0.9.6",
        below="0.10",
        mirrors=("nbgrader.nbgraderformat.common:BaseMetadataValidator.validate_cell",),
        uses=(
            ("nbgrader.nbgraderformat.common:BaseMetadataValidator.__init__", "schema"),
            ("nbgrader.nbgraderformat:MetadataValidator.validate_cell", "validate_cell"),
        ),
        digest="347bd6b47c2931c7",
    ),
    Patch(
        key="check-metadata-message",
        module="merit.grading.preprocessors",
        target="nbgrader.preprocessors:CheckCellMetadata.preprocess",
        how="copied",
        why="stock logs the reason and raises a bare 'failed to validate'; the trainer's summary "
        "needs the reason in the error",
        package="nbgrader",
        written_for="0.9.6",
        below="0.10",
        mirrors=("nbgrader.preprocessors:CheckCellMetadata.preprocess",),
        signature="(self, nb, resources)",
        digest="82e0c9044b88d5a9",
    ),
    Patch(
        key="overwrite-cells-snapshot",
        module="merit.grading.preprocessors",
        target="nbgrader.preprocessors:OverwriteCells.preprocess",
        how="copied",
        why="the released cells come from the gradebook snapshot (a grading worker has no database); "
        "the roles, order and deleted cells a learner changed are put back as released",
        package="nbgrader",
        written_for="0.9.6",
        below="0.10",
        mirrors=(
            "nbgrader.preprocessors:OverwriteCells.preprocess",
            "nbgrader.preprocessors:OverwriteCells.add_missing_grade_cells",
        ),
        digest="c85659f16ec8cddd",
        fallback="none",
    ),
    Patch(
        key="hidden-tests-region",
        module="merit.grading.preprocessors",
        target="nbgrader.preprocessors:ClearHiddenTests._remove_hidden_test_region",
        how="read",
        why="a test cell that differs from its source only by its hidden tests is not reported "
        "to the trainer as changed by the learner",
        package="nbgrader",
        written_for="0.9.6",
        below="0.10",
        signature="(self, cell)",
    ),
    Patch(
        key="batched-auto-grades",
        module="merit.grading.gradebook",
        target="nbgrader.preprocessors:SaveAutoGrades",
        how="copied",
        why="stock commits every cell's grade separately; Merit writes a batch of learners in one "
        "transaction, scoring as SaveAutoGrades does",
        package="nbgrader",
        written_for="0.9.6",
        below="0.10",
        mirrors=(
            "nbgrader.preprocessors:SaveAutoGrades._add_score",
            "nbgrader.preprocessors:SaveAutoGrades._add_comment",
            "nbgrader.preprocessors:SaveAutoGrades.preprocess_cell",
        ),
        digest="780874bfea0163a3",
    ),
    Patch(
        key="batched-late-penalties",
        module="merit.grading.gradebook",
        target="nbgrader.preprocessors:AssignLatePenalties",
        how="copied",
        why="the late-penalty rule applied inside the batch's transaction",
        package="nbgrader",
        written_for="0.9.6",
        below="0.10",
        mirrors=("nbgrader.preprocessors:AssignLatePenalties.preprocess",),
        uses=(("nbgrader.preprocessors:AssignLatePenalties.preprocess", "_check_late_penalty"),),
        digest="5203c6a793a2272a",
    ),
    Patch(
        key="batched-submissions",
        module="merit.grading.gradebook",
        target="nbgrader.api:Gradebook.add_submission",
        how="copied",
        why="new submissions' rows built as add_submission builds them, without its commit",
        package="nbgrader",
        written_for="0.9.6",
        below="0.10",
        mirrors=("nbgrader.api:Gradebook.add_submission",),
        digest="214e13f20457d902",
    ),
    Patch(
        key="cell-guard-hooks",
        module="merit.grading.cellguard",
        target="threading:_trace_hook",
        how="read",
        why="the test-cell guard puts back the trace and profile hooks new threads get "
        "(threading._trace_hook, threading._profile_hook)",
        package="python",
        written_for="3.11.7",
        below="3.12",
        uses=(
            ("threading:Thread._bootstrap_inner", "_trace_hook"),
            ("threading:Thread._bootstrap_inner", "_profile_hook"),
        ),
        fallback="none",
    ),
    Patch(
        key="cell-guard-traits",
        module="merit.grading.cellguard",
        target="traitlets:HasTraits.setup_instance",
        how="read",
        why="the test-cell guard puts back the shell's trait values in the dict traitlets keeps "
        "them in (_trait_values)",
        package="traitlets",
        written_for="5.16.1",
        below="6",
        uses=(("traitlets:HasTraits.setup_instance", "_trait_values"),),
        fallback="none",
    ),
)


def inventory() -> dict[str, Patch]:
    return {patch.key: patch for patch in INVENTORY}


_stock: dict[str, Any] = {}  # path -> what was there before Merit installed a patch there


def _owner(path: str) -> tuple[Any, str]:
    module_name, _, qualname = path.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, name = qualname.split(".")
    for part in parents:
        owner = getattr(owner, part)
    return owner, name


def resolve(path: str) -> Any:
    """The stock object at ``module:qualified.name`` (a property or cached_property as itself),
    also after Merit installed a patch there."""
    if path in _stock:
        return _stock[path]
    owner, name = _owner(path)
    return owner.__dict__[name] if isinstance(owner, type) and name in owner.__dict__ else getattr(owner, name)


def install(key: str, make: Callable[[Any], Any]) -> bool:
    """Apply patch ``key``: bind ``make(stock target)`` to its target (and ``also`` names), if
    :func:`usable`. Installing it again changes nothing. Whether it is installed now."""
    patch = inventory()[key]
    if patch.target in _stock:
        return True
    if not usable(key):
        return False
    stock = resolve(patch.target)
    value = make(stock)
    for path in (patch.target, *patch.also):
        owner, name = _owner(path)
        _stock[path] = stock
        setattr(owner, name, value)
    return True


def _function(obj: Any) -> Any:
    """The plain function behind a method, property, cached property or decorator."""
    for attribute in ("fget", "func", "__func__"):
        inner = getattr(obj, attribute, None)
        if inner is not None and hasattr(inner, "__code__"):
            obj = inner
            break
    return inspect.unwrap(obj) if callable(obj) else obj


def loaded_names(obj: Any) -> set[str]:
    """Every global and attribute name the code of ``obj`` (and the code nested in it) loads."""
    code = getattr(_function(obj), "__code__", None)
    if code is None:
        return set()
    names: set[str] = set()
    pending = [code]
    while pending:
        current = pending.pop()
        names.update(current.co_names)
        pending.extend(c for c in current.co_consts if inspect.iscode(c))
    return names


def parameters(obj: Any) -> str:
    """A callable's parameters as text, without annotations: ``(self, timeout=None)``."""
    signature = inspect.signature(_function(obj))
    bare = [p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()]
    return str(signature.replace(parameters=bare, return_annotation=inspect.Signature.empty))


def source_digest(paths: tuple[str, ...]) -> str:
    """A digest of the stock sources a copy mirrors, blind to blank lines and indentation."""
    text = "\n".join(inspect.getsource(_function(resolve(path))) for path in paths)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+")[0])[:3])


def installed_version(package: str) -> str:
    if package == "python":
        return ".".join(map(str, sys.version_info[:3]))
    return importlib.metadata.version(package)


def problems(patch: Patch) -> list[str]:
    """Why ``patch`` cannot be applied to the installed libraries (empty: it can)."""
    try:
        version = installed_version(patch.package)
    except importlib.metadata.PackageNotFoundError:
        return [f"{patch.package} is not installed"]
    if not _release(patch.written_for) <= _release(version) < _release(patch.below):
        return [f"{patch.package} {version} is not in [{patch.written_for}, {patch.below})"]
    found: list[str] = []
    try:
        target = resolve(patch.target)
    except (ImportError, AttributeError, KeyError) as error:
        return [f"{patch.target} is missing ({type(error).__name__}: {error})"]
    if patch.signature is not None:
        try:
            shape = parameters(target)
        except (TypeError, ValueError):
            shape = "(unknown)"
        if shape != patch.signature:
            found.append(f"{patch.target} takes {shape}, not {patch.signature}")
    for path, name in patch.uses:
        try:
            if name not in loaded_names(resolve(path)):
                found.append(f"{path} no longer uses {name}")
        except (ImportError, AttributeError, KeyError):
            found.append(f"{path} is missing")
    for path in (*patch.same, *patch.also):
        try:
            if resolve(path) is not target:
                found.append(f"{path} is no longer {patch.target}")
        except (ImportError, AttributeError, KeyError):
            found.append(f"{path} is missing")
    if patch.digest is not None:
        try:
            digest = source_digest(patch.mirrors)
        except (ImportError, AttributeError, KeyError, OSError, TypeError) as error:
            found.append(f"the source of {', '.join(patch.mirrors)} cannot be read ({error})")
        else:
            if digest != patch.digest:
                found.append(f"{', '.join(patch.mirrors)} changed since {patch.written_for} (digest {digest})")
    return found


_checked: dict[str, bool] = {}


def usable(key: str) -> bool:
    """Whether the patch ``key`` may be applied here; the first refusal in a process is logged."""
    if key not in _checked:
        patch = inventory()[key]
        found = problems(patch)
        for other in patch.requires:
            if not usable(other):
                found.append(f"it needs patch {other}")
        _checked[key] = not found
        if found:
            instead = (
                f"stock {patch.target} runs instead (same results, slower)"
                if patch.fallback == "stock"
                else "grading is refused"
            )
            log.warning(
                "Merit patch %s (%s) is not applied: %s; %s. Check it against the installed %s and update "
                "merit.grading.patches.",
                key,
                patch.module,
                "; ".join(found),
                instead,
                patch.package,
            )
    return _checked[key]


def forget() -> None:
    """Check every patch again at its next use (after the libraries changed: tests)."""
    _checked.clear()


def report() -> dict[str, bool]:
    """Check every patch now (the coordinator does, once, so that refusals are logged where the
    trainer sees them and not only in a zygote's log)."""
    return {patch.key: usable(patch.key) for patch in INVENTORY}


class UpstreamChanged(MeritError):
    """A library Merit's sandbox relies on changed in a way Merit was not checked against."""


def require() -> None:
    """Refuse to grade when a patch without a stock alternative cannot be applied."""
    broken = [patch for patch in INVENTORY if patch.fallback == "none" and not usable(patch.key)]
    if broken:
        names = ", ".join(f"{p.key} ({p.package} {installed_version(p.package)})" for p in broken)
        raise UpstreamChanged(
            f"Penilaian dihentikan: bagian pustaka yang dipakai kotak pasir penilaian berubah: {names}. "
            "Pasang versi yang disematkan di pyproject.toml atau perbarui merit.grading.patches."
        )


def inventory_markdown() -> str:
    """The inventory as the table in docs/contributing.md (a test compares the two)."""
    rows = [
        "| patch | Merit module | upstream target (how) | stock it mirrors | written for | why | if it does not fit |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for patch in INVENTORY:
        mirrors = ", ".join(f"`{path}`" for path in patch.mirrors) or "the target itself"
        fits = "left out (stock code runs), one warning" if patch.fallback == "stock" else "grading refuses to start"
        rows.append(
            f"| `{patch.key}` | `{patch.module}` | `{patch.target}` ({patch.how}) | {mirrors} "
            f"| {patch.package} {patch.written_for} (checked below {patch.below}) | {patch.why} | {fits} |"
        )
    return "\n".join(rows) + "\n"
