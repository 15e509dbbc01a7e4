"""The one base of every business rule's refusal.

The rule for which error a service raises, and so which a view catches:

- `django.core.exceptions.ValidationError` when **a field's input** is wrong (an empty title, a
  date outside the batch). It names the field where it can (`{"field": [messages]}`); a form
  shows it on that field (`core.shortcuts.form_errors_add`), the API answers 422 with the
  field in `details`.
- `ServiceError` (or its app's subclass: RegistrationError, CertificateError, VisitError,
  LendingError, QuizError) when **a rule of the domain** refuses an action whose input is fine
  (the batch is full, the attempt is closed, the weekly limit is reached). It carries a message
  for the person and a `code` for machines; a view shows the message (`core.shortcuts.
  error_report`, or on the form as a non-field error), the API answers 409 with the code.

A view catches both around the one service call it makes; nothing else is caught.
"""


class ServiceError(Exception):
    """A business rule refuses the action: `message` for the person, `code` for machines."""

    default_code = "refused"

    def __init__(self, message, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
