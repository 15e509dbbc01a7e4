"""Events other apps listen to (certificates issue on `participant_completed`; LTI sends scores
to a partner's gradebook on both)."""

from django.dispatch import Signal

# Sent once, after the transaction that records a Completion commits.
# Arguments: completion (learning.Completion).
participant_completed = Signal()

# Sent after the transaction that finished a quiz attempt (all graded, a score) commits.
# Arguments: attempt (learning.Attempt).
attempt_finished = Signal()
