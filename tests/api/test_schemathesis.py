"""schemathesis against /api/v1/openapi.json: every operation, with the API token of every role
(and none), bounded so it runs in CI in about a minute.

Each operation is tried with data schemathesis makes from the schema (valid and invalid) and its
default checks: no server error, the status code and the content type documented, the body valid
against the documented schema (for errors: the shared Error schema), invalid data refused.
Objects of each kind exist, with small ids, so many generated ids find something.
"""

from datetime import timedelta

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from sinergi.accounts.models import Role
from sinergi.accounts.services import api_token_create
from sinergi.library import services as library
from sinergi.training import services as training
from sinergi.visits import services as visits

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
def api_tokens(db):
    tokens = {}
    for role in Role.values:
        _token, raw = api_token_create(user=UserFactory(roles=[role]), name="schemathesis")
        tokens[role] = raw
    return tokens


@pytest.fixture
def api_objects(db, api_tokens):
    """A few objects of each kind the API serves."""
    participant = UserFactory(roles=["participant"])
    batch = BatchFactory()
    training.registration_create(batch=batch, user=participant, participant=None, consent=True)
    title = library.title_create(
        actor=None, data=library.TitleData(title="Manajemen Perpustakaan Digital"), copies=2
    )
    library.loan_create(title=title, user=participant)
    slot = VisitSlotFactory(starts_at=timezone.now() + timedelta(days=2))
    visits.reservation_create(slot=slot, user=participant)
    AgreementFactory()


def _operations() -> list[tuple[str, str]]:
    from sinergi.api.api import api

    paths = api.get_openapi_schema(path_prefix="/api/v1/")["paths"]
    return [(method.upper(), path) for path, item in paths.items() for method in item]


# schemathesis's own pytest integration (`from_fixture`) does not run under pytest 9 (it sets
# a node attribute pytest removed); each operation is a Hypothesis test of its own here, on the
# strategies schemathesis makes from the schema, valid and invalid.
@pytest.mark.django_db
@pytest.mark.parametrize("method, path", _operations())
def test_api_conforms_to_its_schema(method, path, api_objects, api_tokens):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    operation = schema[path][method]
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

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
        excluded = []
        if (method, path) in SERVICE_RULES and response.status_code == 422:
            excluded.append(positive_data_acceptance)
        case.validate_response(response, excluded_checks=excluded, headers=headers)

    check()
