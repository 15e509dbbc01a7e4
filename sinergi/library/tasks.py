"""Background work of the library: tasks take ids and call a service."""

from django_tasks import task

from .models import CatalogueImport
from .slims import catalogue_import_run


@task()
def import_slims(*, import_id: int) -> str:
    """Import the SLiMS database a librarian named on the import page; return how it ended."""
    job = CatalogueImport.objects.select_related("requested_by").get(pk=import_id)
    return catalogue_import_run(job=job).status
