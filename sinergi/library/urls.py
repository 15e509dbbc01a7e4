from django.urls import path

from . import oai, opds, opds2
from .views import catalogue, eresources, staff

app_name = "library"

urlpatterns = [
    path("", catalogue.catalogue, name="catalogue"),
    path("titles/<int:pk>/", catalogue.title_detail, name="title_detail"),
    path("titles/<int:pk>/borrow/", catalogue.title_borrow, name="title_borrow"),
    path("titles/<int:pk>/hold/", catalogue.title_hold, name="title_hold"),
    path("loans/", catalogue.my_loans, name="my_loans"),
    path("loans/<int:pk>/return/", catalogue.loan_return, name="loan_return"),
    path("holds/<int:pk>/cancel/", catalogue.hold_cancel, name="hold_cancel"),
    path("read/<int:pk>/", catalogue.read, name="read"),
    path("read/<int:pk>/position/", catalogue.position_save, name="position_save"),
    path("files/<str:token>/", catalogue.file_stream, name="file_stream"),
    path("open/<int:pk>/", catalogue.open_file, name="open_file"),
    path("titles/<int:pk>/cover/", catalogue.cover, name="cover"),
    path("e-resources/", eresources.eresources, name="eresources"),
    path("e-resources/<int:pk>/go/", eresources.eresource_go, name="eresource_go"),
    # Staff.
    path("staff/titles/new/", staff.title_new, name="title_new"),
    path("staff/titles/<int:pk>/", staff.title_edit, name="title_edit"),
    path("staff/titles/<int:pk>/license/", staff.title_pool, name="title_pool"),
    path("staff/titles/<int:pk>/upload/", staff.title_upload, name="title_upload"),
    path("staff/import/slims/", staff.slims_import, name="slims_import"),
    path("staff/import/slims/<int:pk>/", staff.slims_import_status, name="slims_import_status"),
    path("staff/e-resources/new/", staff.eresource_edit, name="eresource_new"),
    path("staff/e-resources/<int:pk>/", staff.eresource_edit, name="eresource_edit"),
]

# Mounted at the site root by sinergi/urls.py (the paths the standards' clients expect).
opds_urlpatterns = [
    path("opds/", opds.root, name="opds_root"),
    path("opds/new.xml", opds.new, name="opds_new"),
    path("opds/popular.xml", opds.popular, name="opds_popular"),
    path("opds/subjects.xml", opds.subjects, name="opds_subjects"),
    path("opds/subjects/<int:pk>.xml", opds.subject, name="opds_subject"),
    path("opds/search.xml", opds.search, name="opds_search"),
    path("opds/opensearch.xml", opds.opensearch, name="opds_opensearch"),
    path("opds/loans.xml", opds.loans, name="opds_loans"),
    path("opds/titles/<int:pk>.xml", opds.entry, name="opds_entry"),
    path("opds/titles/<int:pk>/borrow", opds.borrow, name="opds_borrow"),
    path("opds/titles/<int:pk>/revoke", opds.revoke, name="opds_revoke"),
    path("opds/files/<int:pk>", opds.book_file, name="opds_file"),
    path("opds/authentication.json", opds.authentication, name="opds_authentication"),
    # OPDS 2.0 (JSON): the same catalogue, shelf and lending.
    path("opds/v2/", opds2.root, name="opds2_root"),
    path("opds/v2/new", opds2.new, name="opds2_new"),
    path("opds/v2/popular", opds2.popular, name="opds2_popular"),
    path("opds/v2/subjects", opds2.subjects, name="opds2_subjects"),
    path("opds/v2/subjects/<int:pk>", opds2.subject, name="opds2_subject"),
    path("opds/v2/search", opds2.search, name="opds2_search"),
    path("opds/v2/loans", opds2.loans, name="opds2_loans"),
    path("opds/v2/publications/<int:pk>", opds2.publication, name="opds2_publication"),
    path("opds/v2/publications/<int:pk>/borrow", opds2.borrow, name="opds2_borrow"),
    path("opds/v2/publications/<int:pk>/revoke", opds2.revoke, name="opds2_revoke"),
    path("oai", oai.endpoint, name="oai"),
]
