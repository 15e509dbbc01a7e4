import pytest

from .factories import ParticipantFactory


@pytest.fixture
def participant(db):
    """A confirmed registration of a running batch."""
    return ParticipantFactory()


@pytest.fixture
def participant_client(client, participant):
    client.force_login(participant.user)
    return client
