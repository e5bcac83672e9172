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
    DateTime,
    Float,
    ForeignKey,
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
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Employee(Base):
    """An ASN on the roster, identified by NIP."""

    __tablename__ = "employee"

    id: Mapped[int] = mapped_column(primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(200))
    job_title: Mapped[str] = mapped_column(String(200))
    golongan: Mapped[str] = mapped_column(String(8))
    email: Mapped[str | None] = mapped_column(String(254))

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

    __tablename__ = "evidence"
    __table_args__ = (
        UniqueConstraint("employee_id", "course_id", "assignment", "notebook", "cell"),
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
    """An employee's current level in one competency, derived from evidence.

    ``course_id``, ``score`` and ``max_score`` name the evidence that produced the
    level (all evidence of this employee and competency in that course), so the level
    can always be explained.
    """

    __tablename__ = "competency_level"

    employee_id: Mapped[int] = mapped_column(ForeignKey("employee.id"), primary_key=True)
    competency_code: Mapped[str] = mapped_column(ForeignKey("competency.code"), primary_key=True)
    level: Mapped[int] = mapped_column(Integer)
    course_id: Mapped[str] = mapped_column(ForeignKey("course.id"))
    score: Mapped[float] = mapped_column(Float)
    max_score: Mapped[float] = mapped_column(Float)
    rule: Mapped[str] = mapped_column(Text)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    employee: Mapped[Employee] = relationship(back_populates="levels")
