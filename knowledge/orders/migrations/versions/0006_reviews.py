"""review: buyers' product reviews (rating, text, language, date), for the merchant's insights

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 11:30:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('product_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('order_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('rating', sa.Integer(), nullable=False),
        sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('reviewed_on', sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], ['order.order_id']),
        sa.ForeignKeyConstraint(['product_id'], ['product.product_id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_review_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_review_reviewed_on'), ['reviewed_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_review_reviewed_on'))
        batch_op.drop_index(batch_op.f('ix_review_order_id'))
        batch_op.drop_index(batch_op.f('ix_review_product_id'))
    op.drop_table('review')
