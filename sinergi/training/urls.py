from django.urls import path

from .views import documents, public, staff

app_name = "training"

urlpatterns = [
    # Public catalogue and the participant's side.
    path("", public.catalogue, name="catalogue"),
    path("batches/<int:batch_id>/", public.batch_detail, name="batch_detail"),
    path("batches/<int:batch_id>/register/", public.register, name="register"),
    path("batches/<int:batch_id>/register/group/", public.group_register, name="group_register"),
    path("registrations/", public.my_registrations, name="my_registrations"),
    path("registrations/<int:pk>/", public.registration_detail, name="registration_detail"),
    path("registrations/<int:pk>/cancel/", public.registration_cancel, name="registration_cancel"),
    path("registrations/<int:pk>/accept/", public.offer_accept, name="offer_accept"),
    path("invoices/<int:pk>/transfer/", public.transfer_upload, name="transfer_upload"),
    # Documents and payment gateway.
    path("invoices/<int:pk>/invoice.pdf", documents.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:pk>/receipt.pdf", documents.receipt_pdf, name="receipt_pdf"),
    path("invoices/<int:pk>/gateway/", documents.gateway_start, name="gateway_start"),
    path("payments/<int:pk>/proof/", documents.payment_proof, name="payment_proof"),
    path(
        "payments/midtrans/notification/",
        documents.midtrans_notification,
        name="midtrans_notification",
    ),
    # Staff.
    path("staff/", staff.dashboard, name="staff_dashboard"),
    path("staff/programs/new/", staff.program_create, name="program_create"),
    path("staff/programs/<int:pk>/edit/", staff.program_edit, name="program_edit"),
    path("staff/batches/new/", staff.batch_create, name="batch_create"),
    path("staff/batches/<int:pk>/", staff.batch_manage, name="batch_manage"),
    path("staff/batches/<int:pk>/edit/", staff.batch_edit, name="batch_edit"),
    path(
        "staff/batches/<int:pk>/participants.<str:fmt>",
        staff.participants_export,
        name="participants_export",
    ),
    path("staff/payments/", staff.verification_queue, name="verification_queue"),
    path("staff/payments/<int:pk>/approve/", staff.payment_approve, name="payment_approve"),
    path("staff/payments/<int:pk>/reject/", staff.payment_reject, name="payment_reject"),
    path("staff/registrations/<int:pk>/refund/", staff.refund, name="refund"),
]
