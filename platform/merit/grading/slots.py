"""The pool of sandbox slots in this process: one zygote per grading thread.

Kept apart from :mod:`merit.grading.job`, and importing nothing but
:mod:`merit.grading.sandbox`, so that ``merit grade`` can start the zygotes before it
imports nbgrader and nbconvert: each zygote imports ipykernel on a core the importing
coordinator leaves idle.
"""

from __future__ import annotations

import itertools
import os
import threading
from pathlib import Path

from merit.grading.sandbox import Sandbox, ZygoteProcess

_local = threading.local()
_slot_numbers = itertools.count()
_all_slots: list[ZygoteProcess] = []
_spare_slots: list[ZygoteProcess] = []  # started by prestart_slots, not yet taken by a thread
_slots_lock = threading.Lock()


def default_workers() -> int:
    """Grading threads when none are asked for: two per core. A thread waits on its kernel
    (a separate process) for much of each notebook, and the other thread fills the gap."""
    return 2 * (os.cpu_count() or 1)


def submitted_count(course_root: Path, assignment: str) -> int:
    """How many learners' folders ``submitted/<student>/<assignment>`` the course holds:
    no more zygotes than that are worth starting."""
    return len(list((course_root / "submitted").glob(f"*/{assignment}")))


def prestart_slots(sandbox: Sandbox, count: int) -> None:
    """Have ``count`` zygotes for ``sandbox`` started and waiting for a grading thread.

    Only the missing ones are started: ``merit grade`` starts them first thing, and the
    engine asks again for the run's own count, which then starts none or only the rest.
    A zygote's first work is importing ipykernel; started early, those imports run on
    the cores the coordinator leaves idle while it imports, reads the gradebook and the
    submissions and starts its executor, instead of delaying the first notebook.
    """
    with _slots_lock:
        for _ in range(count - len(_live_spares(sandbox))):
            slot = ZygoteProcess(sandbox, next(_slot_numbers), wait=False)
            _spare_slots.append(slot)
            _all_slots.append(slot)


def _live_spares(sandbox: Sandbox) -> list[ZygoteProcess]:
    """Pre-started zygotes for ``sandbox`` still alive and not yet taken (caller holds the lock)."""
    return [s for s in _spare_slots if s.sandbox == sandbox and s.alive]


def thread_slot(sandbox: Sandbox) -> ZygoteProcess:
    """This thread's sandbox slot: a pre-started one or a new one, kept for later jobs.

    A slot that died or stopped answering is closed and replaced here."""
    slot: ZygoteProcess | None = getattr(_local, "slot", None)
    if slot is None or slot.sandbox != sandbox or not slot.alive:
        if slot is not None:
            slot.close()
        with _slots_lock:
            spare = next(iter(_live_spares(sandbox)), None)
            if spare is not None:
                _spare_slots.remove(spare)
        slot = spare or ZygoteProcess(sandbox, next(_slot_numbers))
        _local.slot = slot
        if spare is None:
            with _slots_lock:
                _all_slots.append(slot)
    return slot


def discard_thread_slot() -> None:
    """Stop this thread's slot, so that the next :func:`thread_slot` starts a fresh one
    (a job retried after its slot failed must not meet that slot again)."""
    slot: ZygoteProcess | None = getattr(_local, "slot", None)
    if slot is not None:
        slot.terminate()


def close_slots() -> None:
    """Stop every zygote this process started (at the end of a grading run, or on error)."""
    with _slots_lock:
        _spare_slots.clear()
        while _all_slots:
            _all_slots.pop().close()
