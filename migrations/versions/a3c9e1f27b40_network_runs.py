"""network runs: the whole network's day planned on the workers

Revision ID: a3c9e1f27b40
Revises: 790f9a2fa748
Create Date: 2026-12-03 07:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a3c9e1f27b40'
down_revision = '790f9a2fa748'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('network_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('most_seconds', sa.Double(), nullable=False),
    sa.Column('plan_ids', sa.JSON(), nullable=False),
    sa.Column('skipped', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'],
                            name=op.f('fk_network_runs_requested_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_network_runs'))
    )


def downgrade():
    op.drop_table('network_runs')
