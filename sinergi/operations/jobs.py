from datetime import timedelta

from django.conf import settings

from sinergi.core.scheduling import periodic_job

from .files import orphan_files_sweep
from .leases import workers_recover


@periodic_job(every=timedelta(hours=1))
def sweep_orphan_files() -> str:
    """Delete files of rolled-back work that no row names (see docs/OPERATIONS.md)."""
    swept = orphan_files_sweep(older_than=timedelta(minutes=settings.SINERGI_ORPHAN_FILE_MINUTES))
    return f"{len(swept)} deleted"


@periodic_job(every=timedelta(minutes=5))
def recover_dead_workers() -> str:
    """Requeue the tasks of dead workers even while no worker runs to notice."""
    outcome = workers_recover()
    return ", ".join(f"{key} {value}" for key, value in outcome.items())
