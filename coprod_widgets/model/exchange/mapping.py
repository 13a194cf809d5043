"""A mapping file: what each column of a CSV holds, where its header does not say."""

from __future__ import annotations

from dataclasses import dataclass

from .problems import ExchangeError, Problem, short
from .problems import fail as _fail

KINDS = ("statement", "comment", "timestamp", "email", "name", "role", "ignore")
TARGETS = "a statement id, comment:<principle id>, timestamp, email, name, role or ignore"
MAPPING_HELP = (
    f"a YAML file with a line '<column header>: <target>' per column, the target being {TARGETS}"
)


@dataclass(frozen=True)
class MappingEntry:
    header: str
    target: str
    line: int


@dataclass(frozen=True)
class Mapping:
    """What a mapping file says each column holds.

    The file is YAML, one line per column that needs saying::

        # header in the CSV: what it holds
        "How much do we ask people?": assets-1   # a statement id
        "Anything to add about assets?": comment:assets
        "Submitted": timestamp
        "Your email": email          # never stored in an anonymous round
        "Your name": name            # stored in named rounds only
        "Team role": role
        "Score": ignore

    Columns it does not name are still matched by their headers.
    """

    file: str
    entries: tuple[MappingEntry, ...]


def parse_mapping(text: str, file: str) -> Mapping:
    """A mapping file's entries, with every problem in its shape reported at once."""
    import yaml  # lazily: the model is imported where YAML is not wanted

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        line = f"line {e.problem_mark.line + 1}" if e.problem_mark else ""
        raise ExchangeError([Problem(file, line, f"not valid YAML: {e.problem}")]) from None
    except yaml.YAMLError as e:
        raise ExchangeError([Problem(file, "", f"not valid YAML: {e}")]) from None
    if node is None:
        _fail(file, "", f"the mapping is empty: expected {MAPPING_HELP}")
    if not isinstance(node, yaml.MappingNode):
        _fail(file, f"line {node.start_mark.line + 1}", f"expected {MAPPING_HELP}")
    problems: list[Problem] = []
    entries: list[MappingEntry] = []
    seen: dict[str, int] = {}
    for k, v in node.value:
        where = f"line {k.start_mark.line + 1}"
        header = str(k.value).strip() if isinstance(k, yaml.ScalarNode) else ""
        if not header:
            problems.append(Problem(file, where, "expected a column header as the key"))
        elif not isinstance(v, yaml.ScalarNode) or not str(v.value).strip():
            problems.append(Problem(file, where, f"{short(header)!r}: expected {TARGETS}"))
        elif header in seen:
            problems.append(
                Problem(file, where, f"{short(header)!r} is already mapped on line {seen[header]}")
            )
        else:
            seen[header] = k.start_mark.line + 1
            entries.append(MappingEntry(header, str(v.value).strip(), seen[header]))
    if problems:
        raise ExchangeError(problems)
    return Mapping(file, tuple(entries))
