"""List pages cost the same number of queries whatever the number of rows (as Zulip pins)."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sinergi.visits import services
from sinergi.visits.models import MemberDomain

from .factories import ServicePointFactory, UserFactory, VisitSlotFactory

pytestmark = pytest.mark.django_db
EMAILS = itertools.count()


def add_rows(n: int, librarian) -> None:
    MemberDomain.objects.get_or_create(domain="upi.edu", defaults={"institution": "UPI"})
    point = ServicePointFactory(max_per_day=50, max_per_week=50)
    base = VisitSlotFactory(service_point=point)
    for _i in range(n):
        member = UserFactory(email=f"m{next(EMAILS)}@upi.edu")
        services.reservation_create(slot=base, user=member)
        services.question_ask(asker=member, category="other", subject="Tanya", body="Isi")
        services.delivery_request_create(
            requester=member, kind="delivery", title="Buku", address="Bandung", phone="081234567890"
        )
        services.clearance_request(student=member, student_number="1", study_program="PGSD")


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "name,role",
    [
        ("staff_questions", "librarian"),
        ("staff_deliveries", "services_desk"),
        ("staff_clearances", "librarian"),
        ("staff_home", "services_desk"),
        ("report", "services_desk"),
        ("check_in", "services_desk"),
    ],
)
def test_staff_lists_do_not_grow_with_rows(client, name, role):
    librarian = UserFactory(roles=["librarian"])
    staff = UserFactory(roles=[role])
    client.force_login(staff)
    url = reverse(f"visits:{name}")
    if name == "report":
        url += f"?date={timezone.localdate() + timezone.timedelta(days=1)}"
    add_rows(2, librarian)
    few = queries(client, url)
    add_rows(8, librarian)
    assert queries(client, url) == few
