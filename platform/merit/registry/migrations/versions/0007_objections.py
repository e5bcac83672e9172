"""objections: a candidate's objection to a level or a ranking, and its answer

Revision ID: 0007_objections
Revises: 0006_certificates
Create Date: 2026-12-07 00:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_objections"
down_revision = "0006_certificates"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("competency_code", sa.String(length=64), nullable=True),
        sa.Column("position_code", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.String(length=200), nullable=False),
        sa.Column("filed_at", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.String(length=200), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("level_before", sa.Integer(), nullable=True),
        sa.Column("level_after", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["competency_code"], ["competency.code"], name=op.f("fk_objection_competency_code_competency")
        ),
        sa.ForeignKeyConstraint(["employee_id"], ["employee.id"], name=op.f("fk_objection_employee_id_employee")),
        sa.ForeignKeyConstraint(["position_code"], ["position.code"], name=op.f("fk_objection_position_code_position")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objection")),
    )
    with op.batch_alter_table("objection", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_objection_employee_id"), ["employee_id"], unique=False)
        batch_op.create_index("ix_objection_status", ["status", "employee_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("objection", schema=None) as batch_op:
        batch_op.drop_index("ix_objection_status")
        batch_op.drop_index(batch_op.f("ix_objection_employee_id"))

    op.drop_table("objection")
