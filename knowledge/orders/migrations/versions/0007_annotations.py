"""annotation: operators' verdicts on replies and improved answers (curated Q&A until withdrawn)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 11:45:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'annotation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('turn_id', sa.Integer(), nullable=False),
        sa.Column('operator', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column('rating', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('question', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('improved_answer', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('withdrawn_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('withdrawn_by', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=True),
        sa.ForeignKeyConstraint(['session_id'], ['conversation.session_id']),
        sa.ForeignKeyConstraint(['turn_id'], ['conversationturn.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('annotation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_annotation_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_annotation_turn_id'), ['turn_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_annotation_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('annotation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_annotation_created_at'))
        batch_op.drop_index(batch_op.f('ix_annotation_turn_id'))
        batch_op.drop_index(batch_op.f('ix_annotation_session_id'))
    op.drop_table('annotation')
