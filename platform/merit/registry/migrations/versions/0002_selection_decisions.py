"""selection decisions: published selection reports, audited

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:38:28.712756
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "selection_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("position_code", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("formula", sa.Text(), nullable=False),
        sa.Column("registry_seq", sa.Integer(), nullable=False),
        sa.Column("registry_hash", sa.String(length=64), nullable=False),
        sa.Column("report_sha256", sa.Text(), nullable=False),
        sa.Column("candidates", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["position_code"], ["position.code"], name=op.f("fk_selection_decision_position_code_position")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_selection_decision")),
    )


def downgrade() -> None:
    op.drop_table("selection_decision")
