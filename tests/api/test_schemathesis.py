"""schemathesis against /api/v1/openapi.json: every operation, with the API token of every role
(and none), bounded so it runs in CI in about a minute.

Each operation is tried with data schemathesis makes from the schema (valid and invalid) and its
default checks: no server error, the status code and the content type documented, the body valid
against the documented schema (for errors: the shared Error schema), invalid data refused.
Objects of each kind exist, with small ids, so many generated ids find something.
"""

import re
from collections import Counter
from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from sinergi.accounts.models import Role
from sinergi.accounts.services import api_token_create
from sinergi.certificates import services as certificates
from sinergi.library import services as library
from sinergi.training import services as training
from sinergi.visits import services as visits

from ..certificates.factories import CertificateTemplateFactory, CompletionFactory
from ..factories import BatchFactory, UserFactory
from ..partners.factories import AgreementFactory
from ..visits.factories import VisitSlotFactory

# One token per role, and "none" for a request without one.
ROLES = ["none", *Role.values]
# Operations whose services check what a schema cannot say (an id that names a row, an end
# after its start, a valid ISBN, a known province): a schema-valid body may fairly be a 422
# there. Everywhere else a schema-valid request must not be.
SERVICE_RULES = {
    ("POST", "/api/v1/programs"),
    ("POST", "/api/v1/batches"),
    ("POST", "/api/v1/batches/{batch_id}/registrations"),
    ("POST", "/api/v1/visit-slots"),
    ("POST", "/api/v1/titles"),
}
# The bound: examples per operation (27 operations; the role is drawn for each example).
MAX_EXAMPLES = 25


@pytest.fixture
def api_users(db):
    return {role: UserFactory(roles=[role]) for role in Role.values}


@pytest.fixture
def api_tokens(api_users):
    tokens = {}
    for role, user in api_users.items():
        _token, raw = api_token_create(user=user, name="schemathesis")
        tokens[role] = raw
    return tokens


@pytest.fixture
def api_objects(db, api_users, settings, tmp_path):
    """One object of each kind the API serves, the participant's own where it has an owner;
    the ids of each by path parameter."""
    settings.MEDIA_ROOT = tmp_path / "media"
    participant = api_users["participant"]
    batch = BatchFactory()
    registration = training.registration_create(
        batch=batch, user=participant, participant=None, consent=True
    )
    title = library.title_create(
        actor=None, data=library.TitleData(title="Manajemen Perpustakaan Digital"), copies=2
    )
    loan = library.loan_create(title=title, user=participant)
    slot = VisitSlotFactory(starts_at=timezone.now() + timedelta(days=2))
    reservation = visits.reservation_create(slot=slot, user=participant)
    agreement = AgreementFactory()
    completion = CompletionFactory()
    CertificateTemplateFactory(program=completion.registration.batch.program)
    certificate = certificates.certificate_issue(registration=completion.registration)
    return {
        "batch_id": batch.pk,
        "registration_id": registration.pk,
        "title_id": title.pk,
        "loan_id": loan.pk,
        "slot_id": slot.pk,
        "reservation_id": reservation.pk,
        "agreement_id": agreement.pk,
        "code": certificate.code,
    }


def _operations() -> list[tuple[str, str]]:
    from sinergi.api.api import api

    paths = api.get_openapi_schema(path_prefix="/api/v1/")["paths"]
    return [(method.upper(), path) for path, item in paths.items() for method in item]


# schemathesis's own pytest integration (`from_fixture`) does not run under pytest 9 (it sets
# a node attribute pytest removed); each operation is a Hypothesis test of its own here, on the
# strategies schemathesis makes from the schema, valid and invalid.
@pytest.fixture
def wsgi_app(db):
    """Django's WSGI application, keeping the test's database connection across requests (it
    closes it at the end of each one otherwise; Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize("method, path", _operations())
def test_api_conforms_to_its_schema(method, path, api_objects, api_tokens, wsgi_app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
    operation = schema[path][method]
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    names = set(re.findall(r"{([^}]+)}", path))
    if names:
        # Generated ids seldom name a row: also try the ids of the objects that exist.
        existing = {name: api_objects[name] for name in names}
        strategies.insert(
            0, operation.as_strategy(GenerationMode.POSITIVE, path_parameters=existing)
        )
    cases = st.one_of(*strategies)

    @given(case=cases, role=st.sampled_from(ROLES))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,  # the same examples on every run: a failure is reproducible
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case, role):
        headers = {}
        if role != "none":
            headers["Authorization"] = f"Bearer {api_tokens[role]}"
        response = case.call(headers=headers)
        statuses[response.status_code] += 1
        excluded = []
        if (method, path) in SERVICE_RULES and response.status_code == 422:
            excluded.append(positive_data_acceptance)
        case.validate_response(response, excluded_checks=excluded, headers=headers)

    statuses = Counter()
    check()
    # The tokens work: not every answer is a 401; and every read finds something.
    print(method, path, dict(sorted(statuses.items())))
    assert set(statuses) - {401}, statuses
    if method == "GET":
        assert any(200 <= status < 300 for status in statuses), statuses
