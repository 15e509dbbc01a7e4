from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, send_mail
from django_tasks import task

from sinergi.core.emails import email_render

from .models import ClearanceRequest, DeliveryRequest, Question, Reservation


@task()
def send_notification(
    *,
    kind: str,
    user_id: int,
    reservation_id: int | None = None,
    question_id: int | None = None,
    delivery_id: int | None = None,
    clearance_id: int | None = None,
    reason: str = "",
) -> int:
    """Render and send a visits e-mail (`visits/email/<kind>_*.txt`) to one person."""
    user = get_user_model().objects.get(pk=user_id)
    context: dict = {"user": user, "reason": reason}
    if reservation_id is not None:
        context["reservation"] = Reservation.objects.select_related(
            "slot__service_point", "slot__closure"
        ).get(pk=reservation_id)
    if question_id is not None:
        context["question"] = Question.objects.select_related("asker").get(pk=question_id)
    if delivery_id is not None:
        context["delivery"] = DeliveryRequest.objects.get(pk=delivery_id)
    if clearance_id is not None:
        context["clearance"] = ClearanceRequest.objects.get(pk=clearance_id)
    subject, body = email_render(
        template=f"visits/email/{kind}", context=context, language=user.language
    )
    return send_mail(subject, body, None, [user.email])


@task()
def send_ticket(*, reservation_id: int) -> int:
    """E-mail a visit ticket with its QR code (PNG) and the printable ticket (PDF) attached."""
    from .pdf import ticket_pdf, ticket_qr_png

    reservation = Reservation.objects.select_related("slot__service_point", "user").get(
        pk=reservation_id
    )
    user = reservation.user
    subject, body = email_render(
        template="visits/email/ticket",
        context={"user": user, "reservation": reservation},
        language=user.language,
    )
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    message.attach(f"tiket-{reservation.code}.png", ticket_qr_png(reservation), "image/png")
    message.attach(f"tiket-{reservation.code}.pdf", ticket_pdf(reservation), "application/pdf")
    return message.send()
