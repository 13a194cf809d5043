"""Any data file a person may add, told apart by its keys, validated by its own loader.

`coprod validate FILE...` checks frameworks, reflective models, export forms, ladders and sets
of benefits alike, so whoever adds a file needs one command and gets the same quality of error
for each.
"""

from __future__ import annotations

from pathlib import Path

from .validation import ContentError, read_yaml

KINDS = (
    ("principles", "framework"),
    ("stages", "reflective model"),
    ("questions", "export form"),
    ("steps", "ladder"),
    ("groups", "set of benefits"),
)
FOLDERS = {
    "frameworks": "principles",
    "reflective_models": "stages",
    "export_forms": "questions",
    "ladders": "steps",
    "benefits": "groups",
}


def validate_file(path: str | Path) -> str:
    """A one-line summary of a valid file, or ContentError listing every problem."""
    from .benefits import benefits_summary, validate_benefits_data
    from .frameworks import framework_summary, validate_framework_data
    from .ladders import ladder_summary, validate_ladder_data
    from .models import form_summary, model_summary, validate_form_data, validate_model_data

    path = Path(path)
    if path.parent.name == "planner":  # the planner's files are read together, as a set
        return _planner_file(path)
    data, lines = read_yaml(path)
    key = FOLDERS.get(path.parent.name) or next(
        (k for k, _ in KINDS if isinstance(data, dict) and k in data), "principles"
    )  # a file of no recognisable kind is checked as a framework, the commonest
    if key == "principles":
        return framework_summary(
            validate_framework_data(data, lines, str(path), expected_id=path.stem)
        )
    if key == "stages":
        return model_summary(validate_model_data(data, lines, str(path), expected_id=path.stem))
    if key == "questions":
        return form_summary(validate_form_data(data, lines, str(path), expected_id=path.stem))
    if key == "steps":
        return ladder_summary(validate_ladder_data(data, lines, str(path), expected_id=path.stem))
    if key == "groups":
        return benefits_summary(
            validate_benefits_data(data, lines, str(path), expected_id=path.stem)
        )
    raise AssertionError(key)  # pragma: no cover - every key of KINDS is handled above


def _planner_file(path: Path) -> str:
    from .planner import load_planner_content

    try:
        load_planner_content(planner_dir=path.parent)
    except ContentError as e:
        mine = [p for p in e.problems if Path(p.file).name == path.name] or e.problems
        raise ContentError(mine) from None
    return f"planner content ({path.name}) with the rest of {path.parent}"
