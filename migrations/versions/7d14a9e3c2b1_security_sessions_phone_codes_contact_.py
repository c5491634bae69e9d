"""security: session versions, verified phones and their codes, confirmed completion,
the contact access log

Revision ID: 7d14a9e3c2b1
Revises: eb7675b012f2
Create Date: 2026-12-02 10:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '7d14a9e3c2b1'
down_revision = 'eb7675b012f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone_verified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0',
                                      nullable=False))

    op.create_table('phone_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_phone_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_codes'))
    )
    with op.batch_alter_table('phone_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phone_codes_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completion_code', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('confirmed_via', sa.String(length=8), nullable=True))
    # Visits completed before confirmation existed were taken at their engineer's word.
    op.execute("UPDATE visits SET confirmed_at = finished_at, confirmed_via = 'legacy' "
               "WHERE status = 'completed'")

    op.create_table('contact_reads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reader_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.Integer(), nullable=True),
    sa.Column('fields', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('path', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['users.id'], name=op.f('fk_contact_reads_customer_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reader_id'], ['users.id'], name=op.f('fk_contact_reads_reader_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.id'], name=op.f('fk_contact_reads_visit_id_visits'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_reads'))
    )
    with op.batch_alter_table('contact_reads', schema=None) as batch_op:
        batch_op.create_index('ix_contact_reads_customer_at', ['customer_id', 'at'], unique=False)
        batch_op.create_index('ix_contact_reads_reader_at', ['reader_id', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('contact_reads', schema=None) as batch_op:
        batch_op.drop_index('ix_contact_reads_reader_at')
        batch_op.drop_index('ix_contact_reads_customer_at')
    op.drop_table('contact_reads')

    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_column('confirmed_via')
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('completion_code')

    with op.batch_alter_table('phone_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phone_codes_user_id'))
    op.drop_table('phone_codes')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
        batch_op.drop_column('phone_verified_at')
