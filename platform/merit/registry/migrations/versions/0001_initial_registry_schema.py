"""initial registry schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 09:26:07.537208
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("entity", sa.String(length=64), nullable=False),
        sa.Column("entity_key", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_entry")),
    )
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "competency",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("group", sa.String(length=32), nullable=False),
        sa.Column("name_id", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_competency")),
    )
    op.create_table(
        "course",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("title_id", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("jp", sa.Integer(), nullable=False),
        sa.Column("pass_mark", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course")),
    )
    op.create_table(
        "position",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("title_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_position")),
    )
    op.create_table(
        "employee",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("position_code", sa.String(length=64), nullable=False),
        sa.Column("golongan", sa.String(length=8), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.ForeignKeyConstraint(["position_code"], ["position.code"], name=op.f("fk_employee_position_code_position")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employee")),
        sa.UniqueConstraint("email", name=op.f("uq_employee_email")),
        sa.UniqueConstraint("nip", name=op.f("uq_employee_nip")),
    )
    op.create_table(
        "position_requirement",
        sa.Column("position_code", sa.String(length=64), nullable=False),
        sa.Column("competency_code", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["competency_code"], ["competency.code"], name=op.f("fk_position_requirement_competency_code_competency")
        ),
        sa.ForeignKeyConstraint(
            ["position_code"], ["position.code"], name=op.f("fk_position_requirement_position_code_position")
        ),
        sa.PrimaryKeyConstraint("position_code", "competency_code", name=op.f("pk_position_requirement")),
    )
    op.create_table(
        "competency_level",
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("competency_code", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("max_score", sa.Float(), nullable=True),
        sa.Column("rule", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["competency_code"], ["competency.code"], name=op.f("fk_competency_level_competency_code_competency")
        ),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_competency_level_course_id_course")),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employee.id"], name=op.f("fk_competency_level_employee_id_employee")
        ),
        sa.PrimaryKeyConstraint("employee_id", "competency_code", name=op.f("pk_competency_level")),
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("competency_code", sa.String(length=64), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("assignment", sa.String(length=64), nullable=False),
        sa.Column("notebook", sa.String(length=128), nullable=False),
        sa.Column("cell", sa.String(length=128), nullable=False),
        sa.Column("nbgrader_grade_id", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("max_score", sa.Float(), nullable=False),
        sa.Column("needs_manual_grade", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["competency_code"], ["competency.code"], name=op.f("fk_evidence_competency_code_competency")
        ),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_evidence_course_id_course")),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"], name=op.f("fk_evidence_employee_id_employee")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
        sa.UniqueConstraint(
            "employee_id", "course_id", "assignment", "notebook", "cell", name=op.f("uq_evidence_employee_id")
        ),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_course_assignment", ["course_id", "assignment"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_employee_id"), ["employee_id"], unique=False)

    op.create_table(
        "level_override",
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("competency_code", sa.String(length=64), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("assessor", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["competency_code"], ["competency.code"], name=op.f("fk_level_override_competency_code_competency")
        ),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"], name=op.f("fk_level_override_employee_id_employee")),
        sa.PrimaryKeyConstraint("employee_id", "competency_code", name=op.f("pk_level_override")),
    )
    op.create_table(
        "position_match",
        sa.Column("position_code", sa.String(length=64), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("nip", sa.String(length=18), nullable=False),
        sa.Column("held_capped", sa.Integer(), nullable=False),
        sa.Column("held_uncapped", sa.Integer(), nullable=False),
        sa.Column("met", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"], name=op.f("fk_position_match_employee_id_employee")),
        sa.ForeignKeyConstraint(
            ["position_code"], ["position.code"], name=op.f("fk_position_match_position_code_position")
        ),
        sa.PrimaryKeyConstraint("position_code", "employee_id", name=op.f("pk_position_match")),
    )
    with op.batch_alter_table("position_match", schema=None) as batch_op:
        batch_op.create_index("ix_position_match_employee", ["employee_id"], unique=False)
        batch_op.create_index(
            "ix_position_match_rank_capped",
            [
                "position_code",
                sa.literal_column("held_capped DESC"),
                sa.literal_column("met DESC"),
                "nip",
                "employee_id",
            ],
            unique=False,
        )
        batch_op.create_index(
            "ix_position_match_rank_uncapped",
            [
                "position_code",
                sa.literal_column("held_uncapped DESC"),
                sa.literal_column("met DESC"),
                "nip",
                "employee_id",
            ],
            unique=False,
        )

    op.create_table(
        "skp_rating",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("predikat", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"], name=op.f("fk_skp_rating_employee_id_employee")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skp_rating")),
        sa.UniqueConstraint("employee_id", "year", name=op.f("uq_skp_rating_employee_id")),
    )
    op.create_table(
        "level_evidence",
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("competency_code", sa.String(length=64), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"], ["evidence.id"], name=op.f("fk_level_evidence_evidence_id_evidence"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("employee_id", "competency_code", "evidence_id", name=op.f("pk_level_evidence")),
    )
    with op.batch_alter_table("level_evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_level_evidence_evidence_id"), ["evidence_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("level_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_level_evidence_evidence_id"))

    op.drop_table("level_evidence")
    op.drop_table("skp_rating")
    with op.batch_alter_table("position_match", schema=None) as batch_op:
        batch_op.drop_index("ix_position_match_rank_uncapped")
        batch_op.drop_index("ix_position_match_rank_capped")
        batch_op.drop_index("ix_position_match_employee")

    op.drop_table("position_match")
    op.drop_table("level_override")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_employee_id"))
        batch_op.drop_index("ix_evidence_course_assignment")

    op.drop_table("evidence")
    op.drop_table("competency_level")
    op.drop_table("position_requirement")
    op.drop_table("employee")
    op.drop_table("position")
    op.drop_table("course")
    op.drop_table("competency")
    op.drop_table("audit_head")
    op.drop_table("audit_entry")
