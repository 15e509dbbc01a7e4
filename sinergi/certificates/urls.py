from django.urls import path

from . import views

app_name = "certificates"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:pk>/download/", views.download, name="download"),
    path("verify/", views.verify, name="verify"),
    path("verify/pdf/", views.verify_pdf, name="verify_pdf"),
    path("verify/badge/", views.verify_credential, name="verify_credential"),
    path("verify/<str:code>/", views.verify_code, name="verify_code"),
    path("<int:pk>/credential.jwt", views.credential_download, name="credential"),
    path("<int:pk>/badge.png", views.badge_download, name="badge"),
    path("jp/", views.jp_record, name="jp_record"),
    path("jp/transcript.<str:kind>", views.jp_transcript, name="jp_transcript"),
    path("jp/proofs/<int:pk>/", views.jp_proof, name="jp_proof"),
    path("staff/jp/", views.jp_reviews, name="jp_reviews"),
    path("issuer/", views.issuer, name="issuer"),
    path("issuer/jwks.json", views.issuer_jwks, name="issuer_jwks"),
    path("competencies/", views.competencies, name="competencies"),
    path("staff/", views.staff_home, name="staff_home"),
    path(
        "staff/programs/<int:program_id>/template/", views.program_template, name="program_template"
    ),
    path("staff/batches/<int:batch_id>/template/", views.batch_template, name="batch_template"),
    path("staff/templates/<int:pk>/preview.pdf", views.template_preview, name="template_preview"),
    path("staff/batches/<int:batch_id>/", views.batch_certificates, name="batch"),
    path("staff/batches/<int:batch_id>/issue/", views.batch_issue, name="batch_issue"),
    path("staff/batches/<int:batch_id>/zip/", views.batch_zip, name="batch_zip"),
    path("staff/batches/<int:batch_id>/zip/<int:pk>/", views.archive, name="archive"),
    path("staff/certificates/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("staff/certificates/<int:pk>/reissue/", views.reissue, name="reissue"),
]
