"""conversations

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 00:02:53.389331
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('conversation',
    sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('principal', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('pending_action', sa.JSON(), nullable=True),
    sa.Column('handoff_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('handoff_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('handoff_summary', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('session_id')
    )
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_handoff_status'), ['handoff_status'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversation_updated_at'), ['updated_at'], unique=False)

    op.create_table('conversationturn',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('reply', sa.JSON(), nullable=True),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['conversation.session_id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('conversationturn', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversationturn_session_id'), ['session_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('conversationturn', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversationturn_session_id'))

    op.drop_table('conversationturn')
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_updated_at'))
        batch_op.drop_index(batch_op.f('ix_conversation_handoff_status'))

    op.drop_table('conversation')

