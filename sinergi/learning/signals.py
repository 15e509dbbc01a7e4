"""Events other apps listen to (certificates issue on `participant_completed`)."""

from django.dispatch import Signal

# Sent once, after the transaction that records a Completion commits.
# Arguments: completion (learning.Completion).
participant_completed = Signal()
