"""two-factor sign-in

Revision ID: 3c1f7a9e2d40
Revises: bb6bf36494f8
Create Date: 2026-11-27 17:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3c1f7a9e2d40'
down_revision = 'bb6bf36494f8'
branch_labels = None
depends_on = None


def upgrade():
    # Both nullable: existing accounts simply have two-factor sign-in off.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_secret')
