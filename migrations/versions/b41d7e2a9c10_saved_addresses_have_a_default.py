"""saved addresses have a default: the one booking starts from

Revision ID: b41d7e2a9c10
Revises: c7ced2344026
Create Date: 2026-12-03 11:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'b41d7e2a9c10'
down_revision = 'c7ced2344026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('addresses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_default', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    # Until now the first saved address was the one booking used: keep it so.
    op.execute("UPDATE addresses SET is_default = TRUE WHERE id IN "
               "(SELECT MIN(id) FROM addresses GROUP BY user_id)")


def downgrade():
    with op.batch_alter_table('addresses', schema=None) as batch_op:
        batch_op.drop_column('is_default')
