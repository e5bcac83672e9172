"""initial registry schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 08:33:06.865102
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('competency',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('group', sa.String(length=32), nullable=False),
    sa.Column('name_id', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_competency'))
    )
    op.create_table('course',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('title_id', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('jp', sa.Integer(), nullable=False),
    sa.Column('pass_mark', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course'))
    )
    op.create_table('employee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nip', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=200), nullable=False),
    sa.Column('job_title', sa.String(length=200), nullable=False),
    sa.Column('golongan', sa.String(length=8), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employee')),
    sa.UniqueConstraint('nip', name=op.f('uq_employee_nip'))
    )
    op.create_table('position',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title_id', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('unit', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_position'))
    )
    op.create_table('competency_level',
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('competency_code', sa.String(length=64), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('max_score', sa.Float(), nullable=False),
    sa.Column('rule', sa.Text(), nullable=False),
    sa.Column('computed_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['competency_code'], ['competency.code'], name=op.f('fk_competency_level_competency_code_competency')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_competency_level_course_id_course')),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_competency_level_employee_id_employee')),
    sa.PrimaryKeyConstraint('employee_id', 'competency_code', name=op.f('pk_competency_level'))
    )
    op.create_table('evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employee_id', sa.Integer(), nullable=False),
    sa.Column('competency_code', sa.String(length=64), nullable=False),
    sa.Column('course_id', sa.String(length=64), nullable=False),
    sa.Column('assignment', sa.String(length=64), nullable=False),
    sa.Column('notebook', sa.String(length=128), nullable=False),
    sa.Column('cell', sa.String(length=128), nullable=False),
    sa.Column('nbgrader_grade_id', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('max_score', sa.Float(), nullable=False),
    sa.Column('needs_manual_grade', sa.Boolean(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['competency_code'], ['competency.code'], name=op.f('fk_evidence_competency_code_competency')),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_evidence_course_id_course')),
    sa.ForeignKeyConstraint(['employee_id'], ['employee.id'], name=op.f('fk_evidence_employee_id_employee')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence')),
    sa.UniqueConstraint('employee_id', 'course_id', 'assignment', 'notebook', 'cell', name=op.f('uq_evidence_employee_id'))
    )
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_employee_id'), ['employee_id'], unique=False)

    op.create_table('position_requirement',
    sa.Column('position_code', sa.String(length=64), nullable=False),
    sa.Column('competency_code', sa.String(length=64), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['competency_code'], ['competency.code'], name=op.f('fk_position_requirement_competency_code_competency')),
    sa.ForeignKeyConstraint(['position_code'], ['position.code'], name=op.f('fk_position_requirement_position_code_position')),
    sa.PrimaryKeyConstraint('position_code', 'competency_code', name=op.f('pk_position_requirement'))
    )


def downgrade() -> None:
    op.drop_table('position_requirement')
    with op.batch_alter_table('evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_employee_id'))

    op.drop_table('evidence')
    op.drop_table('competency_level')
    op.drop_table('position')
    op.drop_table('employee')
    op.drop_table('course')
    op.drop_table('competency')
