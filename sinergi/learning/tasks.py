"""Background work of learning: tasks take ids and call a service."""

from django_tasks import task

from .models import QuestionImport
from .services import questions as services


@task()
def import_questions(*, import_id: int) -> str:
    """Import a large GIFT or Moodle XML file queued by a manager; return how it ended."""
    job = QuestionImport.objects.select_related("bank", "requested_by").get(pk=import_id)
    return services.question_import_run(job=job).status
