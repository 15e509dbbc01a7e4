"""The one error of the LTI protocol: a message a person can act on, never a 500."""


class LtiError(Exception):
    """A launch, a login or a service call that cannot go on; `message` is translated."""

    def __init__(self, message, *, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status
