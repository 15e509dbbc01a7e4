from django.urls import path

from .views import clearance, delivery, desk, reference, visits

app_name = "visits"

urlpatterns = [
    # Visits: the member's side.
    path("", visits.home, name="home"),
    path("points/<slug:slug>/", visits.point_detail, name="point_detail"),
    path("slots/<int:slot_id>/book/", visits.slot_book, name="slot_book"),
    path("tickets/", visits.my_tickets, name="my_tickets"),
    path("tickets/<int:pk>/", visits.ticket_detail, name="ticket_detail"),
    path("tickets/<int:pk>/qr.png", visits.ticket_qr, name="ticket_qr"),
    path("tickets/<int:pk>/ticket.pdf", visits.ticket_download, name="ticket_pdf"),
    path("tickets/<int:pk>/email/", visits.ticket_email, name="ticket_email"),
    path("tickets/<int:pk>/cancel/", visits.ticket_cancel, name="ticket_cancel"),
    # Tanya Pustakawan.
    path("faq/", reference.faq, name="faq"),
    path("questions/", reference.my_questions, name="my_questions"),
    path("questions/<int:pk>/", reference.question_detail, name="question_detail"),
    path("questions/<int:pk>/close/", reference.question_close, name="question_close"),
    path("questions/<int:pk>/publish/", reference.question_publish, name="question_publish"),
    # Delivery and print.
    path("delivery/", delivery.my_deliveries, name="my_deliveries"),
    path("delivery/<int:pk>/", delivery.delivery_detail, name="delivery_detail"),
    path("delivery/<int:pk>/proof/", delivery.delivery_proof, name="delivery_proof"),
    path("delivery/<int:pk>/<slug:action>/", delivery.delivery_action, name="delivery_action"),
    # Clearance.
    path("clearance/", clearance.clearance, name="clearance"),
    path("clearance/<int:pk>/", clearance.clearance_detail, name="clearance_detail"),
    path("clearance/<int:pk>/letter.pdf", clearance.clearance_letter, name="clearance_letter"),
    path("clearance/<int:pk>/<slug:action>/", clearance.clearance_action, name="clearance_action"),
    path("clearance/verify/<str:code>/", clearance.clearance_verify, name="clearance_verify"),
    # The desk.
    path("staff/", desk.staff_home, name="staff_home"),
    path("staff/points/", desk.points, name="points"),
    path("staff/points/<int:pk>/", desk.point_manage, name="point_manage"),
    path(
        "staff/points/<int:pk>/hours/<int:hours_id>/delete/",
        desk.hours_delete,
        name="hours_delete",
    ),
    path(
        "staff/points/<int:pk>/closures/<int:closure_id>/delete/",
        desk.closure_delete,
        name="closure_delete",
    ),
    path("staff/check-in/", desk.check_in, name="check_in"),
    path("staff/walk-in/", desk.walk_in, name="walk_in"),
    path("staff/report/", desk.report, name="report"),
    path("staff/questions/", reference.staff_questions, name="staff_questions"),
    path("staff/delivery/", delivery.staff_deliveries, name="staff_deliveries"),
    path("staff/member-domains/", delivery.member_domains, name="member_domains"),
    path("staff/clearance/", clearance.staff_clearances, name="staff_clearances"),
]
