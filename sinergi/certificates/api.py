"""The certificates router of /api/v1/: public verification and the staff list."""

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.pagination import paginate

from sinergi.api.errors import ApiError, Error
from sinergi.api.types import FIRST_YEAR, LAST_YEAR, LINE_PATTERN, MAX_ID, Pagination

from . import selectors
from .models import Certificate, CertificateStatus
from .ratelimit import verification_allowed

router = Router(tags=["certificates"])


class VerificationOut(Schema):
    """What anyone may know about a certificate: no contact details, no other personal data."""

    valid: bool = Field(description="True only for an existing certificate that is not revoked")
    status: str = Field(description="valid or revoked")
    number: str | None = None
    holder: str | None = None
    program: str | None = None
    batch: str | None = None
    jp: int | None = None
    issued_on: date | None = None
    revoked_reason: str | None = None


class CertificateOut(Schema):
    id: int
    number: str
    code: str
    holder: str = Field(alias="holder_name")
    status: CertificateStatus
    batch: str = Field(alias="batch_code")
    issued_at: str

    @staticmethod
    def resolve_issued_at(certificate) -> str:
        return certificate.issued_at.isoformat()


class CertificateFilter(Schema):
    batch: int | None = Field(
        None, ge=1, le=MAX_ID, description="A batch's id; without it, every certificate"
    )


def _verification(certificate: Certificate) -> dict:
    return {
        "valid": certificate.is_valid,
        "status": certificate.status,
        "number": certificate.number,
        "holder": certificate.holder_name,
        "program": certificate.program_title,
        "batch": certificate.batch_code,
        "jp": certificate.jp,
        "issued_on": timezone.localdate(certificate.issued_at),
        "revoked_reason": certificate.revoked_reason or None,
    }


@router.get(
    "/certificates/{code}",
    auth=None,
    response={200: VerificationOut, 404: Error, 429: Error},
    summary="Verify a certificate by its code (public, rate-limited per address)",
    description="404 (code certificate_not_found) when no certificate has the code; its "
    'details are `{"valid": false, "status": "not_found"}`.',
)
def certificate_verify(
    request, code: str = Path(..., min_length=1, max_length=64, pattern=LINE_PATTERN)
):
    if not verification_allowed(request):
        raise ApiError(
            429,
            "too_many_requests",
            _("Too many look-ups from your address. Try again in a minute."),
        )
    certificate = selectors.certificate_verify(code=code)
    if certificate is None:
        raise ApiError(
            404,
            "certificate_not_found",
            _("No certificate has this code."),
            {"valid": False, "status": "not_found"},
        )
    return _verification(certificate)


@router.get(
    "/certificates",
    response={200: list[CertificateOut], 403: Error},
    summary="List certificates, of one batch or all (program managers)",
)
@paginate(Pagination, page_size=100)
def certificate_list(request, filters: Query[CertificateFilter]):
    if not selectors.is_certificate_manager(request.user):
        raise ApiError(403, "forbidden", _("Only program managers may list certificates."))
    return selectors.certificates_list(batch_id=filters.batch)


class JpEntryOut(Schema):
    title: str
    organiser: str
    starts_on: date
    ends_on: date
    jp: int
    source: str = Field(description="sinergi (a certificate issued here) or declared (accepted)")
    certificate_number: str | None = Field(None, description="For a training completed here")


class JpRecordOut(Schema):
    year: int
    total: int = Field(description="JP of the year: valid certificates and accepted declarations")
    target: int = Field(description="The yearly target (SINERGI_JP_TARGET, 20 by default)")
    reached: bool
    entries: list[JpEntryOut]
    pending_declarations: int = Field(description="Declarations waiting for review")


class JpRecordQuery(Schema):
    year: int | None = Field(
        None, ge=FIRST_YEAR, le=LAST_YEAR, description="The year; this year (WIB) without it"
    )


@router.get(
    "/me/jp-record",
    response={200: JpRecordOut},
    summary="My JP record of a year: completed trainings and accepted declarations",
)
def my_jp_record(request, filters: Query[JpRecordQuery]):
    year = filters.year or timezone.localdate().year
    record = selectors.jp_record(user=request.user, year=year)
    return {
        "year": record.year,
        "total": record.total,
        "target": record.target,
        "reached": record.reached,
        "entries": [
            {
                "title": entry.title,
                "organiser": entry.organiser,
                "starts_on": entry.starts_on,
                "ends_on": entry.ends_on,
                "jp": entry.jp,
                "source": entry.source,
                "certificate_number": entry.reference or None,
            }
            for entry in record.entries
        ],
        "pending_declarations": sum(1 for d in record.pending if d.status == "pending"),
    }
