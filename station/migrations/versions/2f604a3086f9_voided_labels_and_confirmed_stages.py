"""Print jobs know their consignment; bulk runs keep the stages the manager confirmed

A voided consignment's label must never print again: ``print_job.consignment_id`` lets
the print queue, the agents and the void find every job of a consignment (first prints
and reprints of reprints) in one query. Existing label jobs are linked from their dedupe
key (``consignment-<id>-parcel-<n>``) and reprints from the job they repeat.

``bulk_dispatch.confirmed_stages`` records the confirm-first Cin7 stages (Awaiting
Payment) a manager ticked to include when starting a run; older runs confirmed none.

Revision ID: 2f604a3086f9
Revises: 42e447f81096
Create Date: 2026-12-06 10:00:00.000000

"""

import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "2f604a3086f9"
down_revision = "42e447f81096"
branch_labels = None
depends_on = None

LABEL_KEY = re.compile(r"consignment-(\d+)-parcel-\d+")
REPRINT_DEPTH = 8  # as far as the label states ever followed reprints of reprints


def upgrade():
    # A plain ADD COLUMN, not a batch copy of the table: on SQLite the copy drops the old
    # table, which foreign keys refuse while reprints point at the jobs they repeat.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE print_job ADD COLUMN consignment_id INTEGER"
            " CONSTRAINT fk_print_job_consignment_id_consignment REFERENCES consignment (id)"
        )
    else:
        op.add_column("print_job", sa.Column("consignment_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_print_job_consignment_id_consignment"),
            "print_job",
            "consignment",
            ["consignment_id"],
            ["id"],
        )
    op.create_index(op.f("ix_print_job_consignment_id"), "print_job", ["consignment_id"])
    with op.batch_alter_table("bulk_dispatch", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("confirmed_stages", sa.JSON(), nullable=False, server_default="[]")
        )
    _link_label_jobs()


def _link_label_jobs():
    bind = op.get_bind()
    jobs = sa.table(
        "print_job",
        sa.column("id", sa.Integer),
        sa.column("dedupe_key", sa.String),
        sa.column("reprint_of_id", sa.Integer),
        sa.column("consignment_id", sa.Integer),
    )
    firsts = bind.execute(
        sa.select(jobs.c.id, jobs.c.dedupe_key).where(jobs.c.dedupe_key.like("consignment-%"))
    ).all()
    consignments = sa.table("consignment", sa.column("id", sa.Integer))
    known = set(bind.execute(sa.select(consignments.c.id)).scalars())
    for job_id, key in firsts:
        found = LABEL_KEY.fullmatch(key or "")
        if found and int(found.group(1)) in known:
            bind.execute(
                jobs.update().where(jobs.c.id == job_id).values(consignment_id=int(found.group(1)))
            )
    earlier = jobs.alias("earlier")
    for _ in range(REPRINT_DEPTH):
        linked = bind.execute(
            jobs.update()
            .where(
                jobs.c.consignment_id.is_(None),
                sa.exists().where(
                    earlier.c.id == jobs.c.reprint_of_id, earlier.c.consignment_id.is_not(None)
                ),
            )
            .values(
                consignment_id=sa.select(earlier.c.consignment_id)
                .where(earlier.c.id == jobs.c.reprint_of_id)
                .scalar_subquery()
            )
        )
        if not linked.rowcount:
            break


def downgrade():
    with op.batch_alter_table("bulk_dispatch", schema=None) as batch_op:
        batch_op.drop_column("confirmed_stages")
    op.drop_index(op.f("ix_print_job_consignment_id"), table_name="print_job")
    if op.get_bind().dialect.name == "sqlite":  # its column constraint has no name to drop
        with op.batch_alter_table("print_job", schema=None) as batch_op:
            batch_op.drop_column("consignment_id")
        return
    op.drop_constraint(
        op.f("fk_print_job_consignment_id_consignment"), "print_job", type_="foreignkey"
    )
    op.drop_column("print_job", "consignment_id")
