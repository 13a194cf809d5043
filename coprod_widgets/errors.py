"""The errors a person may meet, each with a message they can act on."""


class CoprodError(Exception):
    """Base class: its message is shown to the person as it is."""


class NotFound(CoprodError):
    """A link code, round or record that does not exist."""


class Closed(CoprodError):
    """The round is closed: nothing more can be changed."""


class InvalidInput(CoprodError):
    """A value that does not fit: the message says which field and what was expected."""
