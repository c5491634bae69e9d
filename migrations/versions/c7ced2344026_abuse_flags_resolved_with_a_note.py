"""abuse flags resolved with a note: when, by whom, and what the admin found

Revision ID: c7ced2344026
Revises: a3c9e1f27b40
Create Date: 2026-12-03 08:04:05.205326

"""
import sqlalchemy as sa
from alembic import op

revision = 'c7ced2344026'
down_revision = 'a3c9e1f27b40'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('abuse_flags', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('resolved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('resolution_note', sa.String(length=300), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_abuse_flags_resolved_by_id_users'), 'users',
                                    ['resolved_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('abuse_flags', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_abuse_flags_resolved_by_id_users'), type_='foreignkey')
        batch_op.drop_column('resolution_note')
        batch_op.drop_column('resolved_by_id')
        batch_op.drop_column('resolved_at')
