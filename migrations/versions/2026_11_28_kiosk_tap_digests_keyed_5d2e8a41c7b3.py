"""kiosk tap digests keyed

Revision ID: 5d2e8a41c7b3
Revises: 22ebb9b76626
Create Date: 2026-11-28 00:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5d2e8a41c7b3'
down_revision = '22ebb9b76626'
branch_labels = None
depends_on = None


def upgrade():
    # Taps kept a plain SHA-256 of their comment, which a short comment with a phone number in it
    # gives away to anyone who tries every number. The repeat guard needs only the last minutes of
    # taps, now hashed with the app's key, so the old hashes are simply forgotten.
    op.execute("UPDATE kiosk_taps SET comment_digest = ''")


def downgrade():
    pass  # the old hashes are gone for good, as intended
