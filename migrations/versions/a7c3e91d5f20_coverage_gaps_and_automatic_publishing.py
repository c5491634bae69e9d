"""coverage gaps (uncovered requests by grid cell) and stations' automatic publishing

Revision ID: a7c3e91d5f20
Revises: b41d7e2a9c10
Create Date: 2026-12-03 12:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a7c3e91d5f20'
down_revision = 'b41d7e2a9c10'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'uncovered_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('source', sa.String(length=8), nullable=False),
        sa.Column('lat_cell', sa.Integer(), nullable=False),
        sa.Column('lng_cell', sa.Integer(), nullable=False),
        sa.CheckConstraint("source IN ('search','booking')", name=op.f('ck_uncovered_requests_source_known')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_uncovered_requests')),
    )
    op.create_index('ix_uncovered_requests_day_cell', 'uncovered_requests',
                    ['day', 'lat_cell', 'lng_cell'], unique=False)
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auto_publish', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('stations', schema=None) as batch_op:
        batch_op.drop_column('auto_publish')
    op.drop_index('ix_uncovered_requests_day_cell', table_name='uncovered_requests')
    op.drop_table('uncovered_requests')
