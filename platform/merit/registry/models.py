"""SQLAlchemy 2 typed models of the competency registry.

Evidence rows point back to the exact nbgrader grade they came from (course,
assignment, notebook, cell and the gradebook's grade id), so every competency level
can be traced to the answers behind it. Natural keys carry unique constraints: that is
what makes repeated syncs idempotent.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Employee(Base):
    """An ASN on the roster, identified by NIP."""

    __audited__ = True
    __tablename__ = "employee"

    id: Mapped[int] = mapped_column(primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(200))
    position_code: Mapped[str] = mapped_column(ForeignKey("position.code"))
    golongan: Mapped[str] = mapped_column(String(8))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)

    evidence: Mapped[list[Evidence]] = relationship(back_populates="employee")
    levels: Mapped[list[CompetencyLevel]] = relationship(back_populates="employee")


class Competency(Base):
    """A competency of the framework (PermenPANRB 38/2017), by code."""

    __tablename__ = "competency"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    group: Mapped[str] = mapped_column(String(32))
    name_id: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))


class Course(Base):
    """A course as registered from its ``course.yml``."""

    __tablename__ = "course"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title_id: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    jp: Mapped[int] = mapped_column(Integer)
    pass_mark: Mapped[float] = mapped_column(Float)


class Enrolment(Base):
    """Who takes (``peserta``) or teaches (``pengajar``) a course.

    The hub's nbgrader groups, nbgrader's student table and the exchange's permissions are
    all generated from these rows, so enrolment is decided in one place.
    """

    __tablename__ = "enrolment"
    __audited__ = True

    course_id: Mapped[str] = mapped_column(ForeignKey("course.id"), primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))


class ExchangeRelease(Base):
    """One release of an assignment into Merit's exchange; learners fetch the newest one.

    Files live in the exchange store as content-addressed blobs (``blob`` is the SHA-256
    of the archive); rows and blobs are only ever added, so an earlier release stays
    readable for the submissions made against it.
    """

    __tablename__ = "exchange_release"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("course.id"))
    assignment: Mapped[str] = mapped_column(String(64))
    notebooks: Mapped[str] = mapped_column(Text)  # JSON list of notebook file names
    blob: Mapped[str] = mapped_column(String(64))
    released_by: Mapped[str] = mapped_column(String(200))
    released_at: Mapped[dt.datetime] = mapped_column(DateTime)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_exchange_release_course", "course_id", "assignment"),)


class ExchangeSubmission(Base):
    """One submission: every one is kept, identified by its server-side timestamp."""

    __tablename__ = "exchange_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("course.id"))
    assignment: Mapped[str] = mapped_column(String(64))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    timestamp: Mapped[str] = mapped_column(String(64))  # nbgrader's timestamp text (timestamp.txt)
    notebooks: Mapped[str] = mapped_column(Text)  # JSON list of notebook file names
    size: Mapped[int] = mapped_column(Integer)
    blob: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("course_id", "assignment", "employee_id", "timestamp"),
        Index("ix_exchange_submission_employee", "employee_id", "course_id"),
    )


class ExchangeFeedback(Base):
    """Feedback (nbgrader's HTML) released for one notebook of one submission."""

    __tablename__ = "exchange_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("exchange_submission.id"), index=True)
    notebook: Mapped[str] = mapped_column(String(128))
    blob: Mapped[str] = mapped_column(String(64))
    released_by: Mapped[str] = mapped_column(String(200))
    released_at: Mapped[dt.datetime] = mapped_column(DateTime)


class FeedbackJob(Base):
    """One submission in the instant-feedback queue (see :mod:`merit.feedback`).

    Added by the exchange in the same transaction as the submission, so nothing submitted
    is missing from the queue; finished by the grading service in the same transaction as
    its feedback and evidence, so a job is finished exactly once however often the service
    is killed and restarted. ``state`` is one of :data:`merit.feedback.queue.STATES`.
    """

    __tablename__ = "feedback_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("exchange_submission.id"), unique=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("course.id"))
    assignment: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    enqueued_at: Mapped[dt.datetime] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(200))  # host:pid of the service holding it
    note: Mapped[str | None] = mapped_column(Text)  # why it failed or was skipped (Indonesian)

    __table_args__ = (Index("ix_feedback_job_state", "state", "id"),)


class FeedbackSetting(Base):
    """A trainer's switch for instant feedback on a course (``assignment`` empty) or one module.

    Overrides ``umpan_balik_instan`` of the course's ``course.yml``; changes are audited.
    """

    __audited__ = True
    __tablename__ = "feedback_setting"

    course_id: Mapped[str] = mapped_column(ForeignKey("course.id"), primary_key=True)
    assignment: Mapped[str] = mapped_column(String(64), primary_key=True)  # "" for the whole course
    enabled: Mapped[bool] = mapped_column(Boolean)
    changed_by: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Position(Base):
    """A position (jabatan) and its competency standard."""

    __tablename__ = "position"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    title_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(200))

    requirements: Mapped[list[PositionRequirement]] = relationship(
        back_populates="position", cascade="all, delete-orphan"
    )


class PositionRequirement(Base):
    """The level a position requires for one competency."""

    __tablename__ = "position_requirement"

    position_code: Mapped[str] = mapped_column(ForeignKey("position.code"), primary_key=True)
    competency_code: Mapped[str] = mapped_column(ForeignKey("competency.code"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer)

    position: Mapped[Position] = relationship(back_populates="requirements")


class Evidence(Base):
    """One graded cell of one learner's submission, as recorded by nbgrader."""

    __audited__ = True
    __tablename__ = "evidence"
    __table_args__ = (
        UniqueConstraint("employee_id", "course_id", "assignment", "notebook", "cell"),
        Index("ix_evidence_course_assignment", "course_id", "assignment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    competency_code: Mapped[str] = mapped_column(ForeignKey("competency.code"))
    course_id: Mapped[str] = mapped_column(ForeignKey("course.id"))
    assignment: Mapped[str] = mapped_column(String(64))
    notebook: Mapped[str] = mapped_column(String(128))
    cell: Mapped[str] = mapped_column(String(128))
    nbgrader_grade_id: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    needs_manual_grade: Mapped[bool] = mapped_column(Boolean)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    employee: Mapped[Employee] = relationship(back_populates="evidence")


class CompetencyLevel(Base):
    """An employee's current level in one competency.

    ``source`` says where it came from: ``evidence`` (then ``course_id``, ``score`` and
    ``max_score`` summarise the evidence, and :class:`LevelEvidence` lists every row of
    it) or ``override`` (an assessor's decision, see :class:`LevelOverride`).
    """

    __audited__ = True
    __tablename__ = "competency_level"

    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), primary_key=True)
    competency_code: Mapped[str] = mapped_column(ForeignKey("competency.code"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))
    course_id: Mapped[str | None] = mapped_column(ForeignKey("course.id"))
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    rule: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    employee: Mapped[Employee] = relationship(back_populates="levels")


class EvidenceReliability(Base):
    """How consistently a course's cells of one competency measure: the precision behind its levels.

    Cronbach's alpha (KR-20 for right/wrong cells) and the standard error of measurement of
    the pooled score, over the cohort's evidence (merit.competency.reliability). A level
    computed from ``course_id``'s evidence for ``competency_code`` carries these numbers;
    ``reliability`` is None when it cannot be computed (one cell, or no spread).
    """

    __audited__ = True
    __tablename__ = "evidence_reliability"

    course_id: Mapped[str] = mapped_column(ForeignKey("course.id"), primary_key=True)
    competency_code: Mapped[str] = mapped_column(ForeignKey("competency.code"), primary_key=True)
    coefficient: Mapped[str] = mapped_column(String(16))  # "KR-20" or "alpha"
    reliability: Mapped[float | None] = mapped_column(Float)
    sem: Mapped[float | None] = mapped_column(Float)  # in points of ``max_score``
    max_score: Mapped[float] = mapped_column(Float)
    cells: Mapped[int] = mapped_column(Integer)
    learners: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class LevelEvidence(Base):
    """Which evidence rows produced a level: the answer to "why this level?"."""

    __tablename__ = "level_evidence"

    employee_id: Mapped[int] = mapped_column(primary_key=True)
    competency_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    evidence_id: Mapped[int] = mapped_column(
        ForeignKey("evidence.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class LevelOverride(Base):
    """An assessor's decision that replaces the computed level, always with a reason."""

    __audited__ = True
    __tablename__ = "level_override"

    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), primary_key=True)
    competency_code: Mapped[str] = mapped_column(ForeignKey("competency.code"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    assessor: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class SkpRating(Base):
    """A yearly performance rating (predikat kinerja SKP, PermenPANRB 6/2022)."""

    __audited__ = True
    __tablename__ = "skp_rating"
    __table_args__ = (UniqueConstraint("employee_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    year: Mapped[int] = mapped_column(Integer)
    predikat: Mapped[str] = mapped_column(String(32))


class PositionMatch(Base):
    """Job-person match of every employee for every position, kept current on level change.

    Ranking a position of a national pool reads this table through its index instead of
    aggregating millions of level rows at query time. ``held_capped`` and
    ``held_uncapped`` serve both JPM variants; ``nip`` is copied for the tie-break.
    """

    __tablename__ = "position_match"

    position_code: Mapped[str] = mapped_column(ForeignKey("position.code"), primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), primary_key=True)
    nip: Mapped[str] = mapped_column(String(18))
    held_capped: Mapped[int] = mapped_column(Integer)
    held_uncapped: Mapped[int] = mapped_column(Integer)
    met: Mapped[int] = mapped_column(Integer)


# The ranking order (JPM desc, competencies met desc, NIP asc) read straight off an index
# that also holds the employee id, so ranking never touches the table itself.
Index(
    "ix_position_match_rank_capped",
    PositionMatch.position_code,
    PositionMatch.held_capped.desc(),
    PositionMatch.met.desc(),
    PositionMatch.nip,
    PositionMatch.employee_id,
)
Index(
    "ix_position_match_rank_uncapped",
    PositionMatch.position_code,
    PositionMatch.held_uncapped.desc(),
    PositionMatch.met.desc(),
    PositionMatch.nip,
    PositionMatch.employee_id,
)
Index("ix_position_match_employee", PositionMatch.employee_id)


class SelectionDecision(Base):
    """A published selection report: which ranking was announced, by whom, why, from which state.

    ``registry_hash`` is the audit head hash the ranking was read at (printed in the
    report), ``report_sha256`` the SHA-256 of every file produced, so a published file
    can be matched to this row and the registry state behind it.
    """

    __audited__ = True
    __tablename__ = "selection_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    position_code: Mapped[str] = mapped_column(ForeignKey("position.code"))
    as_of: Mapped[dt.date] = mapped_column(Date)
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    criteria: Mapped[str] = mapped_column(Text)  # JSON: the requirements applied
    formula: Mapped[str] = mapped_column(Text)
    registry_seq: Mapped[int] = mapped_column(Integer)
    registry_hash: Mapped[str] = mapped_column(String(64))
    report_sha256: Mapped[str] = mapped_column(Text)  # JSON: format -> SHA-256 of the file
    candidates: Mapped[str] = mapped_column(Text)  # JSON: [[nip, jpm, category], ...] in ranking order


class AuditEntry(Base):
    """One append-only audit record; ``hash`` chains it to the entry before it.

    ``hash`` is an HMAC over the entry's content and ``prev_hash``, keyed by a secret
    kept outside the database, so an entry cannot be edited, removed, inserted or moved
    without ``merit audit verify`` noticing.
    """

    __tablename__ = "audit_entry"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(64))
    entity_key: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The newest entry's sequence number and hash, so a truncated log is detected."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))


class Account(Base):
    """A login for Merit's pages (``merit serve``); HR creates it from the roster.

    ``password_hash`` is an Argon2id hash (argon2-cffi); the password itself is never
    stored. ``employee_id`` links a learner's account to their roster entry.
    """

    __audited__ = True
    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AccountRole(Base):
    """One role of an account: ``peserta``, ``widyaiswara`` of a course, ``kepegawaian`` of a
    unit or ``*``, ``admin``."""

    __audited__ = True
    __tablename__ = "account_role"

    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope: Mapped[str] = mapped_column(String(200), primary_key=True)  # course id, unit name, "*" or ""


class LoginSession(Base):
    """A signed-in browser. Only the SHA-256 of the cookie's token is kept, so a copy of the
    database does not let anyone sign in."""

    __tablename__ = "login_session"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


class AccessLog(Base):
    """One view of another person's personal data (UU 27/2022): who, when, whose, what, where."""

    __tablename__ = "access_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    viewer: Mapped[str] = mapped_column(String(64))
    roles: Mapped[str] = mapped_column(String(400))
    subject_employee_id: Mapped[int | None] = mapped_column(ForeignKey("employee.id"), index=True)
    subject: Mapped[str] = mapped_column(String(200))  # what group was seen, e.g. "peringkat jabatan X (10 orang)"
    page: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(200))


class CourseCompletion(Base):
    """A course completed under its completion rule, and the JP it earned (merit.people.completion).

    ``completed_on`` is the day of the last submission; the JP count in that calendar year.
    ``jp`` and ``pass_mark`` are copied from the course as it stood when the completion was
    recorded, so a later edit of ``course.yml`` does not rewrite an earned entitlement.
    """

    __audited__ = True
    __tablename__ = "course_completion"

    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("course.id"), primary_key=True)
    completed_on: Mapped[dt.date] = mapped_column(Date, index=True)
    jp: Mapped[int] = mapped_column(Integer)
    score_pct: Mapped[float] = mapped_column(Float)
    pass_mark: Mapped[float] = mapped_column(Float)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Certificate(Base):
    """A certificate issued for a completion: the PDF and the signed Open Badges 3.0 credential.

    ``code`` is the public verification code printed on the PDF and carried in the
    credential's id; ``status_index`` is the certificate's bit in the issuer's Bitstring
    Status List (revocation); ``credential`` is the signed credential (compact JWS) as issued.
    """

    __audited__ = True
    __tablename__ = "certificate"
    __table_args__ = (UniqueConstraint("employee_id", "course_id"), UniqueConstraint("status_index"))

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"))
    course_id: Mapped[str] = mapped_column(ForeignKey("course.id"))
    status_index: Mapped[int] = mapped_column(Integer)
    key_id: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime)
    issued_by: Mapped[str] = mapped_column(String(200))
    credential: Mapped[str] = mapped_column(Text)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_reason: Mapped[str | None] = mapped_column(Text)


class Objection(Base):
    """A candidate's objection (keberatan) to a competency level or to a position ranking (UU 27/2022).

    ``kind`` is ``level`` (then ``competency_code`` names the level) or ``peringkat`` (then
    ``position_code`` names the ranking). ``due_at`` is fixed when it is filed, from the
    deadline in ``assessments/keberatan.yml``, so a later change of the setting does not move
    an answer's deadline. An answer sets ``status`` (``dikabulkan`` or ``ditolak``), who
    answered, when and why; a granted level objection may change the level through an
    assessor's override, and ``level_before``/``level_after`` record that change.
    """

    __audited__ = True
    __tablename__ = "objection"
    __table_args__ = (Index("ix_objection_status", "status", "employee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    competency_code: Mapped[str | None] = mapped_column(ForeignKey("competency.code"))
    position_code: Mapped[str | None] = mapped_column(ForeignKey("position.code"))
    reason: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(200))
    filed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    due_at: Mapped[dt.datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[str | None] = mapped_column(String(200))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    level_before: Mapped[int | None] = mapped_column(Integer)
    level_after: Mapped[int | None] = mapped_column(Integer)
