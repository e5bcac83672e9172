"""nbgrader's autograde steps, adapted only where they touch the database or start kernels.

Every decision that affects a score stays nbgrader's own code: which cells are
restored from the source (``OverwriteCells.preprocess_cell``), how a cell is scored
(``nbgrader.utils.determine_grade``), when a written answer counts as "No response",
output limits, metadata validation. What changes:

* the gradebook reads come from a :class:`~merit.grading.snapshot.SnapshotGradebook`;
* the grades are collected into the resources instead of written one cell at a time
  (:mod:`merit.grading.gradebook` writes them in batches);
* kernels are forked by the sandboxed zygote (:class:`SandboxedExecute`);
* nbgrader's metadata schema is compiled once instead of once per cell, and so is
  nbformat's output schema (:mod:`merit.grading.outputschema`);
* message timestamps are read without dateutil (:mod:`merit.grading.msgdates`).
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import stat
from collections.abc import Callable
from functools import cache
from typing import Any

import fastjsonschema
import jsonschema
import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbformat import NotebookNode
from nbgrader import utils
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.nbgraderformat.common import BaseMetadataValidator, ValidationError
from nbgrader.preprocessors import (
    CheckCellMetadata,
    ClearHiddenTests,
    ClearOutput,
    DeduplicateIds,
    Execute,
    IgnorePattern,
    LimitOutput,
    NbGraderPreprocessor,
    OverwriteCells,
    OverwriteKernelspec,
    SaveAutoGrades,
)
from traitlets import Integer, Unicode

from merit.grading import cellguard, msgdates, outputschema, patches
from merit.grading.kernel import ZygoteKernelManager

Resources = dict[str, Any]


def merit_resources(resources: Resources) -> dict[str, Any]:
    """Merit's share of the nbconvert resources: the snapshot in, grades and notes out."""
    return resources.setdefault("merit", {})


_compiled: dict[int, Callable[[Any], Any]] = {}


class _CompiledSchema(BaseMetadataValidator):
    def validate_cell(self, cell: NotebookNode) -> None:
        meta = cell.metadata.get("nbgrader")
        if meta is None or meta.get("schema_version", 0) != self.schema_version:
            return super().validate_cell(cell)  # nbgrader's own version errors
        check = _compiled.get(self.schema_version)
        if check is None:  # the same schema, compiled to Python once (nbformat's fastjsonschema)
            check = _compiled[self.schema_version] = fastjsonschema.compile(self.schema)
        try:
            check(meta)
        except fastjsonschema.JsonSchemaException:
            super().validate_cell(cell)  # jsonschema's error message, as nbgrader reports it
            raise


class FastMetadataValidator(MetadataValidator, _CompiledSchema):
    """nbgrader's current metadata rules (``nbgrader.nbgraderformat.MetadataValidator``) with
    the JSON schema compiled once, not interpreted per cell."""


@cache
def _validator() -> BaseMetadataValidator:
    """The compiled validator, or nbgrader's own when patch ``metadata-schema-compiled`` does
    not fit the installed nbgrader."""
    return FastMetadataValidator() if patches.usable("metadata-schema-compiled") else MetadataValidator()


class FastCheckCellMetadata(CheckCellMetadata):
    """CheckCellMetadata whose error says what is wrong (stock logs it and raises a bare
    "failed to validate"); stock's when patch ``check-metadata-message`` does not fit."""

    def preprocess(self, nb: NotebookNode, resources: Resources) -> tuple[NotebookNode, Resources]:
        if not patches.usable("check-metadata-message"):
            return super().preprocess(nb, resources)
        try:
            _validator().validate_nb(nb)
        except (ValidationError, jsonschema.ValidationError) as error:
            raise ValidationError(
                f"Notebook failed to validate; the nbgrader metadata may be corrupted: {error}"
            ) from error
        return nb, resources


class SnapshotOverwriteKernelspec(OverwriteKernelspec):
    def preprocess(self, nb: NotebookNode, resources: Resources) -> tuple[NotebookNode, Resources]:
        gradebook = merit_resources(resources)["gradebook"]
        ids = resources["nbgrader"]
        kernelspec = gradebook.find_notebook(ids["notebook"], ids["assignment"]).kernelspec
        if kernelspec:
            nb.metadata["kernelspec"] = json.loads(kernelspec)
        return nb, resources


EXECUTION_TAGS = {"skip-execution", "raises-exception"}  # tags nbclient reads to decide how a cell runs


def _grade_ids(nb: NotebookNode) -> dict[str, int]:
    return {
        cell.metadata["nbgrader"]["grade_id"]: index
        for index, cell in enumerate(nb.cells)
        if isinstance(cell.metadata.get("nbgrader"), dict) and "grade_id" in cell.metadata["nbgrader"]
    }


class SnapshotOverwriteCells(OverwriteCells):
    """nbgrader's OverwriteCells, reading the source cells from the snapshot."""

    def preprocess(self, nb: NotebookNode, resources: Resources) -> tuple[NotebookNode, Resources]:
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.gradebook = merit_resources(resources)["gradebook"]
        self._changes = merit_resources(resources).setdefault("changes", [])
        self._released_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        self._ignored_tags: dict[str, list[str]] = {}
        nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
        for tag, cells in self._ignored_tags.items():
            self._changes.append(f"tag {tag} dari peserta diabaikan (sel {', '.join(cells)})")
        if self.add_missing_cells:
            present = {cell.metadata.get("nbgrader", {}).get("grade_id") for cell in nb.cells}
            for cell in (*self._released_nb.grade_cells, *self._released_nb.task_cells):
                if cell.name not in present:
                    self._changes.append(f"sel {cell.name} dihapus dari kiriman; dipulihkan dari soal")
            nb, resources = self.add_missing_grade_cells(nb, resources)
            nb, resources = self.add_missing_task_cells(nb, resources)
        self._restore_order(nb)
        return nb, resources

    def preprocess_cell(
        self, cell: NotebookNode, resources: Resources, cell_index: int
    ) -> tuple[NotebookNode, Resources]:
        self._submitted = cell.source
        self._strip_execution_metadata(cell)
        self._restore_roles(cell)
        return super().preprocess_cell(cell, resources, cell_index)

    def _strip_execution_metadata(self, cell: NotebookNode) -> None:
        """Remove what would let the learner's metadata decide whether or how a cell runs.

        nbclient skips a cell tagged ``skip-execution`` and lets one tagged
        ``raises-exception`` fail; neither tag is in nbgrader's checksum, so on stock a test
        cell tagged ``skip-execution`` has no output and earns full points. Merit runs every
        cell as the trainer released it (docs/grading.md, "Deliberate differences").
        """
        tags = cell.metadata.get("tags")
        if isinstance(tags, list) and any(tag in EXECUTION_TAGS for tag in tags):
            kept = [tag for tag in tags if tag not in EXECUTION_TAGS]
            name = cell.metadata.get("nbgrader", {}).get("grade_id") or "peserta"
            for tag in sorted({str(tag) for tag in tags} & EXECUTION_TAGS):
                self._ignored_tags.setdefault(tag, []).append(name)
            if kept:
                cell.metadata["tags"] = kept
            else:
                del cell.metadata["tags"]

    def _restore_roles(self, cell: NotebookNode) -> None:
        """A released cell keeps the role the trainer gave it: graded (with its points),
        answer, task. A test cell the learner marked ``grade: false`` or ``solution: true``
        would otherwise not be scored as a test, or be scored as an answer."""
        meta = cell.metadata.get("nbgrader")
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if grade_id is None or not any(c.name == grade_id for c in self._released_nb.source_cells):
            return
        graded = {c.name: c.max_score for c in (*self._released_nb.grade_cells, *self._released_nb.task_cells)}
        task = any(c.name == grade_id for c in self._released_nb.task_cells)
        roles = {
            "grade": grade_id in graded and not task,
            "solution": any(c.name == grade_id for c in self._released_nb.solution_cells),
            "task": task,
        }
        changed = [flag for flag, value in roles.items() if bool(meta.get(flag, False)) != value]
        if changed:
            self._changes.append(f"sel {grade_id}: {', '.join(changed)} diubah peserta; dikembalikan seperti soal")
            for flag, value in roles.items():
                if flag != "task" or value or "task" in meta:
                    meta[flag] = value
            if grade_id in graded and "points" not in meta:
                meta["points"] = graded[grade_id]

    def add_missing_grade_cells(self, nb: NotebookNode, resources: Resources) -> tuple[NotebookNode, Resources]:
        """nbgrader's rule (a deleted graded cell goes back after the released cell before it),
        also when that cell was deleted too: nbgrader then stops with ``KeyError``. Here the
        cell goes after the nearest earlier released cell still in the notebook."""
        released = self._released_nb
        order = [cell.name for cell in released.source_cells]
        solutions = {cell.name for cell in released.solution_cells}
        points = {cell.name: cell.max_score for cell in released.grade_cells}
        for name in order:
            if name not in points or name in _grade_ids(nb):
                continue
            source = released.source_cells[order.index(name)]
            cell = self.missing_cell_transform(source, points[name], is_solution=name in solutions)
            present = _grade_ids(nb)
            earlier = [present[prev] for prev in order[: order.index(name)] if prev in present]
            nb.cells.insert(earlier[-1] + 1 if earlier else 0, cell)
        return nb, resources

    def _restore_order(self, nb: NotebookNode) -> None:
        """Released cells run in the order the trainer wrote them. Each released cell moves
        with the learner's own cells that follow it; those before the first stay first."""
        rank = {cell.name: index for index, cell in enumerate(self._released_nb.source_cells)}
        runs: list[tuple[int, list[NotebookNode]]] = [(-1, [])]
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in rank:
                runs.append((rank[grade_id], [cell]))
            else:
                runs[-1][1].append(cell)
        ordered = sorted(runs, key=lambda run: run[0])
        if [r[0] for r in ordered] != [r[0] for r in runs]:
            self._changes.append("urutan sel soal diubah peserta; dikembalikan seperti soal")
            nb.cells = [cell for _, cells in ordered for cell in cells]

    def report_change(self, name: str, attr: str, old: Any, new: Any) -> None:
        """Note what the learner changed; a test cell differs from its source only by
        the hidden tests, which the learner never saw, so that alone is no change."""
        hidden_only = (
            attr == "checksum"
            and patches.usable("hidden-tests-region")  # else every changed test cell is reported
            and self._submitted.strip() == self._released(name).strip()
        )
        if not hidden_only:
            self._changes.append(f"sel {name}: {attr} diubah peserta; dikembalikan seperti soal")
        super().report_change(name, attr, old, new)

    def _released(self, name: str) -> str:
        source = self.gradebook.find_source_cell(name, self.notebook_id, self.assignment_id)
        cell = NotebookNode(cell_type=source.cell_type, source=source.source, metadata={})
        ClearHiddenTests(parent=self)._remove_hidden_test_region(cell)
        return str(cell.source)


# Errors that mean a limit stopped the learner's code rather than a wrong answer.
LIMIT_ERRORS = {
    "CellTimeoutError": "melebihi batas waktu sel",
    "MemoryError": "melebihi batas memori",
    "BlockingIOError": "melebihi batas jumlah proses",
}


class CollectAutoGrades(SaveAutoGrades):
    """SaveAutoGrades' scoring, kept in the resources for one batched database write.

    It also notes cells a sandbox limit stopped, so the trainer reads why, not only 0.
    """

    def preprocess_cell(
        self, cell: NotebookNode, resources: Resources, cell_index: int
    ) -> tuple[NotebookNode, Resources]:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and output.get("ename") in LIMIT_ERRORS:
                where = cell.metadata.get("nbgrader", {}).get("grade_id") or f"ke-{cell_index + 1}"
                note = f"sel {where}: {output['ename']} ({LIMIT_ERRORS[output['ename']]})"
                merit_resources(resources).setdefault("changes", []).append(note)
        return super().preprocess_cell(cell, resources, cell_index)

    def preprocess(self, nb: NotebookNode, resources: Resources) -> tuple[NotebookNode, Resources]:
        merit = merit_resources(resources)
        merit["scores"], merit["comments"] = {}, {}
        return NbGraderPreprocessor.preprocess(self, nb, resources)

    def _add_score(self, cell: NotebookNode, resources: Resources) -> None:
        auto_score, _ = utils.determine_grade(cell, self.log)
        merit_resources(resources)["scores"][cell.metadata["nbgrader"]["grade_id"]] = auto_score

    def _add_comment(self, cell: NotebookNode, resources: Resources) -> None:
        unchanged = cell.metadata.nbgrader.get("checksum", None) == utils.compute_checksum(cell)
        comment = "No response." if unchanged and not utils.is_task(cell) else None
        merit_resources(resources)["comments"][cell.metadata["nbgrader"]["grade_id"]] = comment


UNVERIFIED = (
    "tes ini tidak berjalan sampai selesai seperti ditulis pelatih; kode peserta mengubah cara sel "
    "dijalankan atau cara kegagalannya ditampilkan"
)


class SandboxedExecute(Execute):
    """nbgrader's Execute with kernels from the sandboxed zygote and an output budget.

    Output beyond ``max_output_bytes`` per notebook is cut: the first stream of each
    kind (stdout, stderr) in a cell is kept, emptied, so a score that depends on
    stderr appearing is what nbgrader would give, while 50 MB of prints are not stored.
    """

    max_output_bytes = Integer(4 * 1024**2, help="Output kept per notebook, in bytes.").tag(config=True)
    truncated_note = Unicode("\n... keluaran dipotong: melebihi batas ukuran ...\n").tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        # Here, so that both hold on whichever Dask worker grades.
        outputschema.apply()
        msgdates.apply()
        kwargs.setdefault("kernel_manager_class", ZygoteKernelManager)
        kwargs.setdefault("shutdown_kernel", "immediate")
        super().__init__(**kwargs)
        self.output_bytes = 0
        self.output_truncated = False

    def preprocess(self, nb: NotebookNode, resources: Resources, km: Any = None) -> tuple[NotebookNode, Resources]:
        self.output_bytes, self.output_truncated = 0, False
        self.guard_key = secrets.token_hex(32)
        self.guarded = {
            index: secrets.token_hex(12)
            for index, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)
        }
        self.unverified: list[str] = []
        self.student = str(resources.get("nbgrader", {}).get("student") or "")
        nb, resources = super().preprocess(nb, resources, km)
        changes = merit_resources(resources).setdefault("changes", [])
        if self.output_truncated:
            changes.append("keluaran dipotong karena melebihi batas ukuran")
        for name in self.unverified:
            changes.append(f"sel {name}: tes tidak berjalan sampai selesai seperti tertulis; nilai 0")
        return nb, resources

    def create_kernel_manager(self) -> Any:
        """The kernel manager, carrying the test-cell guard's plan for the kernel: a key and
        a random number per test cell, with the cell's text, and the student graded
        (:mod:`merit.grading.cellguard`)."""
        km = super().create_kernel_manager()
        km.guard_plan = {
            "key": self.guard_key,
            # who is graded: merit_widgets' per-learner variants are recomputed from it (MERIT_PESERTA)
            "peserta": self.student,
            "tests": [{"nonce": nonce, "source": self.nb.cells[index].source} for index, nonce in self.guarded.items()],
            "setup": [  # the trainer's own code: what it binds is the trainer's while a test runs
                cell.source
                for cell in self.nb.cells
                if cell.cell_type == "code" and utils.is_locked(cell) and not utils.is_grade(cell)
            ],
        }
        return km

    def preprocess_cell(self, cell: NotebookNode, resources: Resources, index: int) -> tuple[NotebookNode, Resources]:
        """Run the cell; a test cell whose end the kernel's guard did not see run scores zero.

        A test that passed leaves a line the grader can check; one that failed left an
        error output, as in stock. Without either, learner code made the test vanish or
        report success: the cell gets an error output saying so, and nbgrader scores it 0.
        """
        cell, resources = super().preprocess_cell(cell, resources, index)
        nonce = self.guarded.get(index)
        if nonce is None or self._verified(nonce):
            return cell, resources
        if not any(output.get("output_type") == "error" for output in cell.get("outputs", [])):
            cell.outputs.append(
                nbformat.v4.new_output(
                    "error",
                    ename="TesTidakTerverifikasi",
                    evalue=UNVERIFIED,
                    traceback=[f"TesTidakTerverifikasi: {UNVERIFIED}"],
                )
            )
            self.unverified.append(cell.metadata.get("nbgrader", {}).get("grade_id", f"ke-{index + 1}"))
        return cell, resources

    def _verified(self, nonce: str) -> bool:
        """Whether the kernel's guard wrote this test's line. The file is in the kernel's
        folder, which learner code can write: it is opened without following a link
        (the path may cross into the sandbox, where a link resolves against the host's
        root) or waiting on a pipe, and read only if it is a regular file."""
        expected = f"{nonce} {cellguard.attestation(self.guard_key, nonce)}".encode()
        path = cellguard.attestation_path(self.km.kernel_file or self.km.connection_file)
        try:
            descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            with os.fdopen(descriptor, "rb") as lines:
                if not stat.S_ISREG(os.fstat(lines.fileno()).st_mode):
                    return False
                written = lines.read(1024**2)  # the kernel's lines come first; what follows is not ours
        except OSError:
            return False
        return any(hmac.compare_digest(line.strip(), expected) for line in written.splitlines())

    def output(
        self, outs: list[NotebookNode], msg: dict[str, Any], display_id: str | None, cell_index: int
    ) -> NotebookNode | None:
        content = msg.get("content", {})
        if msg["msg_type"] in ("stream", "display_data", "update_display_data", "execute_result"):
            self.output_bytes += len(json.dumps(content.get("data") or content.get("text") or ""))
        if self.output_bytes <= self.max_output_bytes or msg["msg_type"] in ("error", "execute_result"):
            return super().output(outs, msg, display_id, cell_index)
        self.output_truncated = True
        if msg["msg_type"] == "stream" and not any(
            o.get("output_type") == "stream" and o.get("name") == content.get("name") for o in outs
        ):
            msg = {**msg, "content": {**content, "text": self.truncated_note}}
            return super().output(outs, msg, display_id, cell_index)
        return None


SANITIZE = [ClearOutput, DeduplicateIds, SnapshotOverwriteKernelspec, SnapshotOverwriteCells, FastCheckCellMetadata]
AUTOGRADE = [
    SandboxedExecute,
    IgnorePattern,
    ClearMetadataPreprocessor,
    LimitOutput,
    CollectAutoGrades,
    FastCheckCellMetadata,
]
