"""hub: course enrolment and the exchange store

Revision ID: 0005_hub
Revises: 0004_reliability
Create Date: 2026-12-06 18:11:35.645135
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_hub"
down_revision = "0004_reliability"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_release",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("assignment", sa.String(length=64), nullable=False),
        sa.Column("notebooks", sa.Text(), nullable=False),
        sa.Column("blob", sa.String(length=64), nullable=False),
        sa.Column("released_by", sa.String(length=200), nullable=False),
        sa.Column("released_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_exchange_release_course_id_course")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_release")),
    )
    with op.batch_alter_table("exchange_release", schema=None) as batch_op:
        batch_op.create_index("ix_exchange_release_course", ["course_id", "assignment"], unique=False)

    op.create_table(
        "enrolment",
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_enrolment_course_id_course")),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"], name=op.f("fk_enrolment_employee_id_employee")),
        sa.PrimaryKeyConstraint("course_id", "employee_id", name=op.f("pk_enrolment")),
    )
    op.create_table(
        "exchange_submission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("assignment", sa.String(length=64), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("timestamp", sa.String(length=64), nullable=False),
        sa.Column("notebooks", sa.Text(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("blob", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_exchange_submission_course_id_course")),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["employee.id"], name=op.f("fk_exchange_submission_employee_id_employee")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_submission")),
        sa.UniqueConstraint(
            "course_id", "assignment", "employee_id", "timestamp", name=op.f("uq_exchange_submission_course_id")
        ),
    )
    with op.batch_alter_table("exchange_submission", schema=None) as batch_op:
        batch_op.create_index("ix_exchange_submission_employee", ["employee_id", "course_id"], unique=False)

    op.create_table(
        "exchange_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("notebook", sa.String(length=128), nullable=False),
        sa.Column("blob", sa.String(length=64), nullable=False),
        sa.Column("released_by", sa.String(length=200), nullable=False),
        sa.Column("released_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["exchange_submission.id"],
            name=op.f("fk_exchange_feedback_submission_id_exchange_submission"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_feedback")),
    )
    with op.batch_alter_table("exchange_feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_feedback_submission_id"), ["submission_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("exchange_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_feedback_submission_id"))

    op.drop_table("exchange_feedback")
    with op.batch_alter_table("exchange_submission", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_submission_employee")

    op.drop_table("exchange_submission")
    op.drop_table("enrolment")
    with op.batch_alter_table("exchange_release", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_release_course")

    op.drop_table("exchange_release")
