"""The print queue across every printer: newest jobs first, by state and printer."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from station.listing import Paging, fetch_page
from station.models import JobState, PrintJob


@dataclass(frozen=True, slots=True)
class JobPage(Paging):
    """One page of print jobs."""

    jobs: list[PrintJob]

    @property
    def unfinished(self) -> bool:
        """True while a job on the page may still change by itself (queued or sending)."""
        return any(job.state in (JobState.QUEUED, JobState.SENDING) for job in self.jobs)


def list_jobs(
    session: Session,
    *,
    state: JobState | None = None,
    printer_id: int | None = None,
    page: int = 1,
    per_page: int = 50,
) -> JobPage:
    """Print jobs in ``state`` on ``printer_id`` (any when None), newest first."""
    stmt = select(PrintJob).options(joinedload(PrintJob.printer)).order_by(PrintJob.id.desc())
    if state is not None:
        stmt = stmt.where(PrintJob.state == state)
    if printer_id is not None:
        stmt = stmt.where(PrintJob.printer_id == printer_id)
    jobs, paging = fetch_page(session, stmt, page=page, per_page=per_page)
    return JobPage(page=paging.page, per_page=per_page, total=paging.total, jobs=jobs)
