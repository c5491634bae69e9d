"""accounts opened on a call: the call centre's customers, joined to the account the person
opens later once they prove the number

Revision ID: d5b0c3e8a1f2
Revises: a7c3e91d5f20
Create Date: 2026-12-04 13:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'd5b0c3e8a1f2'
down_revision = 'a7c3e91d5f20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opened_on_call', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    # Until now only the console gave an account the placeholder e-mail of the reserved
    # .invalid domain (accounts.customers.NO_EMAIL_DOMAIN): those were opened on a call.
    op.execute("UPDATE users SET opened_on_call = TRUE WHERE email LIKE '%@phone.invalid'")


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('opened_on_call')
