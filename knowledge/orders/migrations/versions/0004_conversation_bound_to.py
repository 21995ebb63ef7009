"""conversation.bound_to: the authenticated identity a conversation is bound to

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 05:10:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bound_to', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=True))
    # Which existing API conversations were opened with a token is not recorded: bind every one
    # that has an identity to it, so none can be continued by a caller without that identity.
    op.execute("UPDATE conversation SET bound_to = principal WHERE principal <> 'anonymous' AND channel = 'api'")


def downgrade() -> None:
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_column('bound_to')
