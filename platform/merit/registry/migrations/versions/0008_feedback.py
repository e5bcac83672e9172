"""feedback: the instant-feedback queue and the trainers' switches

Revision ID: 0008_feedback
Revises: 0007_objections
Create Date: 2026-12-07 00:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_feedback"
down_revision = "0007_objections"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("assignment", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("enqueued_at", sa.DateTime(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_feedback_job_course_id_course")),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["exchange_submission.id"],
            name=op.f("fk_feedback_job_submission_id_exchange_submission"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_job")),
        sa.UniqueConstraint("submission_id", name=op.f("uq_feedback_job_submission_id")),
    )
    with op.batch_alter_table("feedback_job", schema=None) as batch_op:
        batch_op.create_index("ix_feedback_job_state", ["state", "id"], unique=False)

    op.create_table(
        "feedback_setting",
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("assignment", sa.String(length=64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_feedback_setting_course_id_course")),
        sa.PrimaryKeyConstraint("course_id", "assignment", name=op.f("pk_feedback_setting")),
    )


def downgrade() -> None:
    op.drop_table("feedback_setting")
    with op.batch_alter_table("feedback_job", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_job_state")
    op.drop_table("feedback_job")
