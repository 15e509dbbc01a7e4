from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django_tasks import task

from sinergi.core.emails import email_render

from .models import GroupRegistration, Payment, Registration


@task()
def send_notification(
    *,
    kind: str,
    user_id: int,
    registration_id: int | None = None,
    registration_state: str | None = None,
    payment_id: int | None = None,
    group_id: int | None = None,
) -> int:
    """Render and send a training e-mail (`training/email/<kind>_*.txt`) to one person."""
    user = get_user_model().objects.get(pk=user_id)
    context: dict = {"user": user}
    if registration_id is not None:
        registration = Registration.objects.select_related("batch__program", "invoice").get(
            pk=registration_id
        )
        # Word the mail for the state the registration was in when it was sent.
        registration.state = registration_state or registration.state
        context["registration"] = registration
    if payment_id is not None:
        context["payment"] = Payment.objects.select_related("invoice__batch__program").get(
            pk=payment_id
        )
    if group_id is not None:
        context["group"] = GroupRegistration.objects.select_related("batch__program").get(
            pk=group_id
        )
    subject, body = email_render(
        template=f"training/email/{kind}", context=context, language=user.language
    )
    return send_mail(subject, body, None, [user.email])
