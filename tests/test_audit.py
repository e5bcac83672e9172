"""The audit trail: every change recorded, and any tampering found at its first entry."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, delete, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from merit.cli import app
from merit.demo.roster import synthetic_roster
from merit.people.roster import register_roster
from merit.registry import models
from merit.registry.audit import AuditTrail, verify
from tests.conftest import AUDIT_KEY

KEY = b"property-test-key"


def chain(length: int) -> Session:
    """An in-memory database holding an untampered chain of ``length`` entries."""
    engine = create_engine("sqlite://")
    models.AuditEntry.__table__.create(engine)
    models.AuditHead.__table__.create(engine)
    session = Session(engine)
    for index in range(length):
        trail = AuditTrail(
            KEY,
            f"petugas{index % 3}",
            f"alasan {index}",
            clock=lambda index=index: dt.datetime(2026, 1, 1) + dt.timedelta(minutes=index),
        )
        trail.record("update", "employee", str(index), {"unit": "A"}, {"unit": f"B{index}"})
        trail.write(session)
    session.commit()
    return session


def entries(session: Session) -> list[models.AuditEntry]:
    return list(session.scalars(select(models.AuditEntry).order_by(models.AuditEntry.seq)))


def edit(session, position, rng):
    column = rng.choice(["actor", "reason", "after", "entity_key", "hash", "prev_hash", "at"])
    value = dt.datetime(2030, 1, 1) if column == "at" else "dipalsukan"
    session.execute(update(models.AuditEntry).where(models.AuditEntry.seq == position).values({column: value}))


def remove(session, position, rng):
    session.execute(delete(models.AuditEntry).where(models.AuditEntry.seq == position))
    if rng.random() < 0.5:  # close the gap so the numbering looks continuous
        for entry in entries(session):
            if entry.seq > position:
                session.execute(
                    update(models.AuditEntry).where(models.AuditEntry.seq == entry.seq).values(seq=entry.seq - 1)
                )


def insert_forged(session, position, rng):
    for entry in reversed(entries(session)):
        if entry.seq >= position:
            session.execute(
                update(models.AuditEntry).where(models.AuditEntry.seq == entry.seq).values(seq=entry.seq + 1)
            )
    previous = session.get(models.AuditEntry, position - 1)
    session.add(
        models.AuditEntry(
            seq=position,
            at=dt.datetime(2026, 6, 1),
            actor="penyusup",
            action="update",
            entity="employee",
            entity_key="x",
            reason="palsu",
            before=None,
            after='{"unit": "X"}',
            prev_hash=previous.hash if previous else "0" * 64,
            hash="f" * 64,
        )
    )


def swap(session, position, rng):
    last = len(entries(session))
    other = rng.choice([p for p in range(1, last + 1) if p != position])
    low, high = sorted((position, other))
    session.execute(update(models.AuditEntry).where(models.AuditEntry.seq == low).values(seq=-1))
    session.execute(update(models.AuditEntry).where(models.AuditEntry.seq == high).values(seq=low))
    session.execute(update(models.AuditEntry).where(models.AuditEntry.seq == -1).values(seq=high))
    return low


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(length=st.integers(min_value=2, max_value=25), data=st.data())
def test_any_tampering_is_found_at_the_first_entry_touched(length, data):
    session = chain(length)
    assert verify(session, KEY).ok
    tamper = data.draw(st.sampled_from([edit, remove, insert_forged, swap]), label="tamper")
    limit = length + 1 if tamper is insert_forged else length
    position = data.draw(st.integers(min_value=1, max_value=limit), label="position")
    rng = data.draw(st.randoms(use_true_random=False), label="rng")
    first = tamper(session, position, rng) or position
    session.flush()
    verdict = verify(session, KEY)
    assert verdict.first_bad == first, (tamper.__name__, position, verdict)
    assert verdict.checked == first - 1


def test_wrong_key_fails_at_the_first_entry():
    session = chain(3)
    assert verify(session, b"another key").first_bad == 1


def test_roster_changes_are_recorded_and_verified_on_each_backend(registry):
    people = synthetic_roster(3)
    with registry.session("petugas BKPSDM", "impor roster awal") as session:
        register_roster(session, people)
    with registry.session("petugas BKPSDM", "mutasi unit") as session:
        register_roster(session, [people[0].model_copy(update={"unit": "Inspektorat Daerah"})])
    with registry.session() as session:
        recorded = entries(session)
        assert [(e.action, e.actor, e.reason) for e in recorded] == (
            [("create", "petugas BKPSDM", "impor roster awal")] * 3 + [("update", "petugas BKPSDM", "mutasi unit")]
        )
        assert verify(session, AUDIT_KEY).ok
    with registry.session() as session:  # cut off the newest entry
        session.execute(delete(models.AuditEntry).where(models.AuditEntry.seq == 4))
    with registry.session() as session:
        verdict = verify(session, AUDIT_KEY)
    assert verdict.first_bad == 4 and "terpotong" in verdict.reason


def test_a_failed_change_leaves_no_audit_entry(registry):
    person = synthetic_roster(1)[0]
    with pytest.raises(RuntimeError):
        with registry.session("petugas", "gagal di tengah") as session:
            register_roster(session, [person])
            raise RuntimeError("crash")
    with registry.session() as session:
        assert entries(session) == []
        assert session.scalars(select(models.Employee)).all() == []


def test_cli_audit_verify_reports_the_tampered_entry(settings):
    result = CliRunner().invoke(app, ["level", "recompute", "--oleh", "petugas"])
    assert result.exit_code == 0, result.output
    from merit.registry.database import open_registry

    registry = open_registry(settings)
    with registry.session("petugas", "isi registri") as session:
        register_roster(session, synthetic_roster(2))
    assert "Jejak audit utuh: 2 entri" in CliRunner().invoke(app, ["audit", "verify"]).output
    with registry.session() as session:
        session.execute(update(models.AuditEntry).where(models.AuditEntry.seq == 2).values(reason="diubah"))
    registry.close()
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "rusak pada entri 2" in " ".join(result.output.split())
