"""The errors a person may meet, each with a message they can act on."""


class CoprodError(Exception):
    """Base class: its message is shown to the person as it is."""


class NotFound(CoprodError):
    """A link code, round or record that does not exist."""


class Closed(CoprodError):
    """The round is closed: nothing more can be changed."""


class InvalidInput(CoprodError):
    """A value that does not fit: the message says which field and what was expected."""


class Conflict(CoprodError):
    """Someone else saved a field after this page last read it: nothing was written."""

    def __init__(self, key: str, label: str, current: object):
        super().__init__(f"someone else changed {label!r} while you were typing")
        self.key, self.label, self.current = key, label, current
