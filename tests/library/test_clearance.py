"""An e-book still on loan blocks a student's clearance (bebas pustaka), and returning it frees it.

The library declares its check as data in `sinergi/library/clearance.py`; the visits app finds
it by name, so neither app imports the other.
"""

import pytest

from sinergi.library import services as library
from sinergi.visits import services as visits
from sinergi.visits.clearance import clearance_blockers

from .factories import LicensePoolFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_active_ebook_loan_blocks_clearance_until_returned():
    student = UserFactory(roles=["participant"])
    pool = LicensePoolFactory(copies=2)
    loan = library.loan_create(title=pool.title, user=student)
    clearance = visits.clearance_request(
        student=student, student_number="2101234", study_program="Ilmu Perpustakaan"
    )
    blockers = {blocker.code: blocker.message for blocker in clearance_blockers(clearance)}
    assert "active_ebook_loans" in blockers
    assert "1" in blockers["active_ebook_loans"]

    library.loan_return(loan=loan, actor=student)
    codes = [blocker.code for blocker in clearance_blockers(clearance)]
    assert "active_ebook_loans" not in codes
