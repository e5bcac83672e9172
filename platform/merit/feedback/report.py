"""The learner's instant feedback page for one notebook: a score per item, and why a test failed.

Scores come from the registry's evidence as the service has just synced it (so the page,
the learner portal and HR see the same numbers); a test's failure comes from the
autograded notebook (the error's name and message, as nbgrader's feedback shows it).
Items a trainer grades say that they wait for the trainer. The page is HTML that the
Assignments tab opens like nbgrader's ``generate_feedback`` output; a trainer's later
release of nbgrader's own feedback replaces it (the newest feedback wins).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

import orjson

from merit.catalog import Course

WAITING_FOR_TRAINER = "menunggu penilaian widyaiswara"


@dataclass(frozen=True)
class Item:
    cell: str
    score: float
    max_score: float
    manual: bool  # waits for the trainer


def failures(graded: bytes | None) -> dict[str, str]:
    """grade_id -> the error a test cell ended with, from an autograded notebook."""
    if not graded:
        return {}
    found: dict[str, str] = {}
    for cell in orjson.loads(graded).get("cells", []):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        for output in cell.get("outputs", []) if grade_id else []:
            if output.get("output_type") == "error":
                found[grade_id] = f"{output.get('ename', '')}: {output.get('evalue', '')}".strip(": ")
    return found


def render(
    course: Course,
    assignment: str,
    notebook: str,
    timestamp: str,
    items: list[Item],
    errors: dict[str, str],
    notes: list[str],
    failed: str | None,
    graded_at: dt.datetime,
) -> bytes:
    """The feedback page (Indonesian)."""
    order = {c.grade_id: c.index for c in course.cells if c.module == assignment and c.notebook == notebook}
    rows = []
    for item in sorted(items, key=lambda i: order.get(i.cell, 10**6)):
        if item.manual:
            score, status = f"- / {item.max_score:g}", WAITING_FOR_TRAINER
        else:
            score = f"{item.score:g} / {item.max_score:g}"
            status = "benar" if item.score >= item.max_score else "belum tepat"
        reason = errors.get(item.cell, "")
        rows.append(
            f"<tr><td><code>{escape(item.cell)}</code></td><td>{score}</td>"
            f"<td>{escape(status)}</td><td>{escape(reason)}</td></tr>"
        )
    auto = [i for i in items if not i.manual]
    waiting = [i for i in items if i.manual]
    total = f"{sum(i.score for i in auto):g} dari {sum(i.max_score for i in auto):g} poin dinilai otomatis"
    if waiting:
        total += f"; {len(waiting)} butir ({sum(i.max_score for i in waiting):g} poin) {WAITING_FOR_TRAINER}"
    body = [
        f"<h1>Umpan balik instan: {escape(notebook)}</h1>",
        f"<p>Kursus {escape(course.spec.title.id)}, tugas {escape(assignment)}, kiriman {escape(timestamp)}; "
        f"dinilai otomatis {graded_at:%Y-%m-%d %H:%M:%S} UTC.</p>",
    ]
    if failed:
        body.append(f"<p class='gagal'><strong>Kiriman tidak dapat dinilai:</strong> {escape(failed)}</p>")
    else:
        body += [
            f"<p><strong>{escape(total)}</strong>.</p>",
            "<table><thead><tr><th>Butir</th><th>Nilai</th><th>Status</th><th>Keterangan</th></tr></thead>",
            f"<tbody>{''.join(rows)}</tbody></table>",
        ]
    if notes:
        body.append("<ul>" + "".join(f"<li>{escape(n)}</li>" for n in notes) + "</ul>")
    body.append(
        "<p><em>Nilai ini sementara: widyaiswara dapat menilai ulang dan menilai butir uraian; "
        "nilai akhir ada di portal peserta.</em></p>"
    )
    style = (
        "body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse}"
        "td,th{border:1px solid #999;padding:.3em .6em;text-align:left}.gagal{color:#a00}"
    )
    page = (
        "<!DOCTYPE html><html lang='id'><head><meta charset='utf-8'>"
        f"<title>Umpan balik {escape(notebook)}</title><style>{style}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )
    return page.encode("utf-8")
