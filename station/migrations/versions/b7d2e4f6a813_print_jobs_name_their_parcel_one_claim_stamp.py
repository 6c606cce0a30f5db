"""Print jobs name their parcel; one claim stamp for every queue

A parcel's first label job was found by rebuilding its dedupe key's prefix
(``consignment-<id>-parcel-``) in three places. It now carries ``parcel`` (its number)
beside ``consignment_id``; both are filled from the existing keys. The dedupe key stays,
as the key that queues each first label once.

The print queue now follows ``station.queue`` like the outbox and the rule webhooks: a
job being sent keeps its claim's time in ``next_attempt_at``, so ``sending_since`` goes
(its value moves there first).

Revision ID: b7d2e4f6a813
Revises: 1e080e8a8ada
Create Date: 2026-12-06 03:00:00.000000

"""

import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7d2e4f6a813"
down_revision = "1e080e8a8ada"
branch_labels = None
depends_on = None

LABEL_KEY = re.compile(r"consignment-(\d+)-parcel-(\d+)")

jobs = sa.table(
    "print_job",
    sa.column("id", sa.Integer),
    sa.column("state", sa.String),
    sa.column("dedupe_key", sa.String),
    sa.column("consignment_id", sa.Integer),
    sa.column("parcel", sa.Integer),
    sa.column("next_attempt_at", sa.DateTime(timezone=True)),
    sa.column("sending_since", sa.DateTime(timezone=True)),
)


def upgrade():
    with op.batch_alter_table("print_job") as batch:
        batch.add_column(sa.Column("parcel", sa.Integer(), nullable=True))
    _name_parcels()
    op.execute(
        jobs.update()
        .where(jobs.c.state == "sending", jobs.c.sending_since.is_not(None))
        .values(next_attempt_at=jobs.c.sending_since)
    )
    _drop_column("sending_since")


def _name_parcels():
    """Each first label job's parcel, and its consignment where that was not linked yet."""
    bind = op.get_bind()
    consignments = sa.table("consignment", sa.column("id", sa.Integer))
    known = set(bind.execute(sa.select(consignments.c.id)).scalars())
    firsts = bind.execute(
        sa.select(jobs.c.id, jobs.c.dedupe_key, jobs.c.consignment_id).where(
            jobs.c.dedupe_key.like("consignment-%")
        )
    ).all()
    for job_id, key, linked in firsts:
        found = LABEL_KEY.fullmatch(key or "")
        if not found or int(found.group(1)) not in known:
            continue
        consignment_id, parcel = int(found.group(1)), int(found.group(2))
        bind.execute(
            jobs.update()
            .where(jobs.c.id == job_id)
            .values(consignment_id=linked or consignment_id, parcel=parcel)
        )


def _drop_column(name):
    # A plain DROP COLUMN, not a batch copy of the table: on SQLite the copy drops the old
    # table, which foreign keys refuse while reprints point at the jobs they repeat.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE print_job DROP COLUMN {name}")
    else:
        op.drop_column("print_job", name)


def downgrade():
    with op.batch_alter_table("print_job") as batch:
        batch.add_column(sa.Column("sending_since", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        jobs.update().where(jobs.c.state == "sending").values(sending_since=jobs.c.next_attempt_at)
    )
    _drop_column("parcel")
