"""The partnerships demo is what the issue lists, and loading it twice changes nothing."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from sinergi.accounts import demo as accounts_demo
from sinergi.partners import demo
from sinergi.partners.models import Agreement, InstitutionalVisit, Partner, StepState
from sinergi.partners.selectors import agreement_status, agreements_with_status

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_partners_agreements_and_visits_of_the_issue(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    accounts_demo.seed(out)
    demo.seed(out)
    demo.seed(out)
    today = timezone.localdate()

    perpusnas = Partner.objects.get(short_name="Perpusnas")
    lapsed = perpusnas.agreements.get(renewal_of__isnull=True)
    renewal = perpusnas.agreements.get(renewal_of=lapsed)
    assert agreement_status(lapsed) == "expired"
    assert agreement_status(renewal) == "in_process"
    assert renewal.steps.get(state=StepState.CURRENT).order == 6
    assert renewal.steps.get(order=6).due_on >= today  # at step 6, not overdue
    assert perpusnas.officers.get().user.email == "mitra.perpusnas@sinergi.test"

    unj = Partner.objects.get(short_name="UNJ")
    statuses = {
        a.kind: a.status for a in agreements_with_status(Agreement.objects.filter(partner=unj))
    }
    assert statuses == {"mou": "active", "pks": "active"}
    assert unj.agreements.get(kind="pks").our_number == demo.UNJ_PKS_NUMBER

    association = Partner.objects.get(type="association")
    mou = association.agreements.get()
    assert agreement_status(mou) == "expiring"
    assert mou.ends_on <= today + timedelta(days=90)
    assert mou.reminders.count() == 1

    assert InstitutionalVisit.objects.count() == 2
    assert Partner.objects.count() == 3
