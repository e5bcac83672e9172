"""evidence reliability: alpha/KR-20 and SEM per course and competency, behind every level

Revision ID: 0004_reliability
Revises: 0003_access
Create Date: 2026-12-06 18:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_reliability"
down_revision = "0003_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_reliability",
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("competency_code", sa.String(length=64), nullable=False),
        sa.Column("coefficient", sa.String(length=16), nullable=False),
        sa.Column("reliability", sa.Float(), nullable=True),
        sa.Column("sem", sa.Float(), nullable=True),
        sa.Column("max_score", sa.Float(), nullable=False),
        sa.Column("cells", sa.Integer(), nullable=False),
        sa.Column("learners", sa.Integer(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["competency_code"],
            ["competency.code"],
            name=op.f("fk_evidence_reliability_competency_code_competency"),
        ),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"], name=op.f("fk_evidence_reliability_course_id_course")),
        sa.PrimaryKeyConstraint("course_id", "competency_code", name=op.f("pk_evidence_reliability")),
    )


def downgrade() -> None:
    op.drop_table("evidence_reliability")
