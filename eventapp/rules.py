"""The one exception for "a person's request breaks a rule": a sentence to show, and the field it is about."""


class RuleBroken(Exception):
    """Raised by services; views put `message` next to `field` (or above the form when there is none)."""

    field: str | None = None

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field
