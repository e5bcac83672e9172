"""certificates: course completions with their JP, and issued certificates

Revision ID: 0006_certificates
Revises: 0005_hub
Create Date: 2026-12-06 21:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_certificates"
down_revision = "0005_hub"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "course_completion",
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("jp", sa.Integer(), nullable=False),
        sa.Column("score_pct", sa.Float(), nullable=False),
        sa.Column("pass_mark", sa.Float(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_course_completion_course_id_course")),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employee.id"], name=op.f("fk_course_completion_employee_id_employee")
        ),
        sa.PrimaryKeyConstraint("employee_id", "course_id", name=op.f("pk_course_completion")),
    )
    with op.batch_alter_table("course_completion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_completion_completed_on"), ["completed_on"], unique=False)

    op.create_table(
        "certificate",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sa.String(length=200), nullable=False),
        sa.Column("credential", sa.Text(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_certificate_course_id_course")),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"], name=op.f("fk_certificate_employee_id_employee")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_certificate")),
        sa.UniqueConstraint("employee_id", "course_id", name=op.f("uq_certificate_employee_id")),
        sa.UniqueConstraint("status_index", name=op.f("uq_certificate_status_index")),
    )


def downgrade() -> None:
    op.drop_table("certificate")
    with op.batch_alter_table("course_completion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_completion_completed_on"))

    op.drop_table("course_completion")
