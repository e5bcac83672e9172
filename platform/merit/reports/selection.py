"""Selection reports for public announcement, and the decision they record.

A report states the position, the requirements, the formula, the ranked candidates
(NIP masked, UU 27/2022) and the audit head hash of the registry state the ranking was
read from. Producing it appends a :class:`models.SelectionDecision` to the registry in
the same audited transaction: who, when, why, and the SHA-256 of every file written, so
anyone holding a published file can find the decision and the state behind it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from merit.competency.levels import LevelRule
from merit.errors import MeritError
from merit.nip import mask_nip
from merit.objections.marks import ObjectionLine, for_ranking
from merit.placement.eligibility import Criteria
from merit.placement.jpm import JPMRule
from merit.placement.ranking import Candidate, Ranking, rank_position
from merit.registry import models
from merit.registry.audit import GENESIS, trail_of
from merit.registry.upsert import create_row

if TYPE_CHECKING:
    from merit.content import Content
    from merit.registry.database import Registry

OBJECTION = (
    "Kandidat yang keberatan atas hasil ini dapat mengajukan keberatan lewat portal peserta Merit atau secara "
    "tertulis kepada panitia seleksi dengan menyebut nomor keputusan dan hash registri di laporan ini; keberatan "
    "dicatat, dijawab dalam batas waktu yang ditetapkan, dan hasilnya tercantum pada laporan berikutnya."
)
CANDIDATE_COLUMNS = (
    "Peringkat",
    "NIP (disamarkan)",
    "Nama",
    "Unit kerja",
    "Golongan",
    "JPM %",
    "Kategori",
    "Kompetensi memenuhi standar",
    "Kesenjangan (dimiliki/dipersyaratkan)",
    "Keberatan",
)
OBJECTION_TITLE = "Keberatan kandidat atas peringkat ini atau atas level yang dipersyaratkan"
OBJECTION_COLUMNS = ("Nomor keberatan", "NIP (disamarkan)", "Atas", "Diajukan", "Batas jawab", "Status dan hasil")
NO_OBJECTIONS = "Tidak ada keberatan."
DETAIL_COLUMNS = (
    "Peringkat",
    "NIP (disamarkan)",
    "Kompetensi",
    "Dipersyaratkan",
    "Dimiliki",
    "Kesenjangan",
    "Dasar level",
)


@dataclass(frozen=True)
class SelectionReport:
    """Everything a published report says, in the order every format says it."""

    decision: int
    ranking: Ranking
    registry_seq: int
    registry_hash: str
    produced_at: dt.datetime
    actor: str
    reason: str
    objections: tuple[ObjectionLine, ...] = ()  # of the ranked candidates, bearing on this ranking

    @property
    def title(self) -> str:
        return f"Hasil pemeringkatan kandidat: {self.ranking.position.title_id}"

    def header(self) -> list[tuple[str, str]]:
        r = self.ranking
        return [
            ("Jabatan", f"{r.position.title_id} ({r.position.code}), {r.position.unit}"),
            ("Nomor keputusan", f"{self.decision}"),
            ("Tanggal seleksi", f"{r.as_of:%d-%m-%Y}"),
            ("Dibuat", f"{self.produced_at:%d-%m-%Y %H:%M} UTC oleh {self.actor}"),
            ("Alasan", self.reason),
            ("Syarat administrasi", r.criteria.text()),
            ("Kandidat", r.pool.text()),
            ("Standar kompetensi jabatan", r.required_text),
            ("Rumus", r.rule.formula()),
            ("Kategori", r.rule.bands_text()),
            ("Urutan", r.tie_break.removeprefix("Urutan: ")),
            ("Level dari bukti", r.level_rule or "-"),
            ("Status registri", f"entri audit ke-{self.registry_seq}, hash {self.registry_hash}"),
        ]

    def notes(self) -> list[str]:
        return [self.ranking.notice, OBJECTION]

    def candidate_rows(self) -> list[list[object]]:
        rows = []
        filed: dict[str, list[str]] = {}
        for line in self.objections:
            filed.setdefault(line.nip, []).append(f"nomor {line.id}: {line.status}")
        for index, c in enumerate(self.ranking.candidates, start=1):
            gaps = ", ".join(f"{self.ranking.names.get(g.code, g.code)} {g.held}/{g.required}" for g in c.match.gaps)
            rows.append(
                [
                    index,
                    mask_nip(c.nip),
                    c.name,
                    c.unit,
                    c.golongan,
                    c.match.percent,
                    c.match.band,
                    f"{c.match.met}/{len(c.match.rows)}",
                    gaps or "tidak ada",
                    "; ".join(filed.get(c.nip, [])) or "-",
                ]
            )
        return rows

    def objection_rows(self) -> list[list[object]]:
        """Each objection with its outcome: the record of who contested the result and what came of it."""
        return [
            [
                line.id,
                mask_nip(line.nip),
                line.subject,
                f"{line.filed_at:%d-%m-%Y}",
                f"{line.due_at:%d-%m-%Y}",
                line.outcome(self.produced_at),
            ]
            for line in self.objections
        ]

    def detail_rows(self) -> list[list[object]]:
        rows = []
        for index, c in enumerate(self.ranking.candidates, start=1):
            for g in c.match.rows:
                basis = c.basis.get(g.code)
                rows.append(
                    [
                        index,
                        mask_nip(c.nip),
                        self.ranking.names.get(g.code, g.code),
                        g.required,
                        g.held,
                        g.gap,
                        basis.reference() if basis is not None and g.held else "belum ada bukti",
                    ]
                )
        return rows


Writer = Callable[[SelectionReport, Path], None]


@dataclass(frozen=True)
class Published:
    report: SelectionReport
    files: dict[str, Path]
    sha256: dict[str, str]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _candidates_json(candidates: Iterable[Candidate]) -> str:
    return orjson.dumps([[c.nip, c.match.percent, c.match.band] for c in candidates]).decode()


def publish_selection(
    session: Session,
    position_code: str,
    rule: JPMRule,
    criteria: Criteria,
    level_rule: LevelRule,
    folder: Path,
    writers: dict[str, Writer],
    clock: Callable[[], dt.datetime] = models.utcnow,
) -> Published:
    """Rank, write one file per format in ``writers``, and record the decision (audited).

    ``session`` must be a writing session (actor and reason): the decision is appended to
    the audit trail when it commits. The audit head is read first, with a row lock on
    PostgreSQL, so no other change can slip between the state the report names and the
    decision entry that follows it.
    """
    trail = trail_of(session)
    head = session.get(models.AuditHead, 1, with_for_update=True)
    seq, head_hash = (head.seq, head.hash) if head is not None else (0, GENESIS)
    ranking = rank_position(session, position_code, rule, criteria=criteria, level_rule=level_rule)
    stale = sorted({code for c in ranking.candidates for code in c.expired_evidence})
    if stale:
        raise MeritError(
            f"Sebagian level kandidat bertumpu pada bukti yang sudah kedaluwarsa per {criteria.as_of:%d-%m-%Y} "
            f"(kompetensi: {', '.join(stale)}). Jalankan `merit level recompute --per-tanggal {criteria.as_of}` "
            "lebih dulu agar laporan tidak memakai bukti kedaluwarsa."
        )
    produced = clock()
    # The number is printed in the files before the row exists; the head lock above keeps it unique.
    number = (session.scalar(select(func.max(models.SelectionDecision.id))) or 0) + 1
    folder.mkdir(parents=True, exist_ok=True)
    objections = for_ranking(session, position_code, ranking.required, [c.nip for c in ranking.candidates])
    report = SelectionReport(number, ranking, seq, head_hash, produced, trail.actor, trail.reason, tuple(objections))
    stem = f"seleksi-{position_code}-{criteria.as_of:%Y%m%d}-{number}"
    files = {}
    for extension, write in writers.items():
        path = folder / f"{stem}.{extension}"
        write(report, path)
        files[extension] = path
    digests = {extension: _digest(path) for extension, path in files.items()}
    create_row(
        session,
        models.SelectionDecision,
        {"id": number},
        {
            "position_code": position_code,
            "as_of": criteria.as_of,
            "decided_at": produced,
            "actor": trail.actor,
            "reason": trail.reason,
            "criteria": orjson.dumps(criteria.as_dict()).decode(),
            "formula": rule.formula(),
            "registry_seq": seq,
            "registry_hash": head_hash,
            "report_sha256": orjson.dumps(digests, option=orjson.OPT_SORT_KEYS).decode(),
            "candidates": _candidates_json(ranking.candidates),
        },
    )
    return Published(report, files, digests)


def publish_to_folder(
    registry: Registry,
    content: Content,
    position_code: str,
    criteria: Criteria,
    folder: Path,
    formats: Iterable[str],
    actor: str,
    reason: str,
) -> tuple[Published, dict[str, Path]]:
    """``merit laporan seleksi`` and the HR page's export buttons: one audited decision, its files in ``folder``.

    Files are written to a staging folder and moved into place only after the decision is
    committed, so a failed transaction leaves no report that the audit trail does not know.
    """
    from merit.content import register_content
    from merit.reports.formats import WRITERS

    formats = list(formats)
    unknown = [f for f in formats if f not in WRITERS]
    if unknown:
        raise MeritError(f"Format tidak dikenal: {', '.join(unknown)}. Pilih dari {', '.join(WRITERS)}.")
    if len(reason.strip()) < 10:
        raise MeritError("Alasan laporan wajib diisi dengan jelas (minimal 10 karakter).")
    folder.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".merit-laporan-", dir=folder))
    try:
        with registry.session(actor, reason.strip()) as session:
            register_content(session, content)
            published = publish_selection(
                session,
                position_code,
                content.jpm_rule,
                criteria,
                content.level_rule,
                staging,
                {f: WRITERS[f] for f in formats},
            )
        files = {extension: path.replace(folder / path.name) for extension, path in published.files.items()}
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return published, files
