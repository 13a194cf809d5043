"""Reading a form tool's CSV, matching its columns, checking its rows, and writing exports.

All pure: bytes and text in, plain data out, on the small 2 x 2 framework (scale 1-4).
"""

from __future__ import annotations

import csv
import io
import json
import random
from dataclasses import replace

import pytest
from conftest import make_small_framework

from coprod_widgets.errors import InvalidInput
from coprod_widgets.model.exchange import (
    ExchangeError,
    Mapping,
    MappingEntry,
    build_export,
    check_rows,
    column_letter,
    escape_formula,
    export_csv,
    export_json,
    map_columns,
    normalise,
    parse_mapping,
    parse_rating,
    read_table,
    row_token,
    shown_roles,
)
from coprod_widgets.model.framework import Statement
from coprod_widgets.model.rounds import Answer, Rating, Round

GRID = "How often is this true? [{}]"
STATEMENTS = ("We ask.", "We act on it.", "We decide together.", "We pay.")


def rnd(*, anonymous=True, roles=("Staff", "Carer"), min_answers=3, rid=1) -> Round:
    return Round(
        id=rid,
        team="Riverside",
        framework_id="small",
        framework_version="1.0",
        anonymous=anonymous,
        min_answers=min_answers,
        roles=tuple(roles),
    )


def table(text: str, file: str = "r.csv"):
    return read_table(text.encode("utf-8"), file)


def csv_text(header: list[str], *rows: list[str]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def plan(text: str, fw=None, round_=None, mapping=None):
    fw = fw or make_small_framework()
    t = table(text)
    return check_rows(t, map_columns(t, fw, mapping), fw, round_ or rnd())


def problems(excinfo) -> list[str]:
    return [str(p) for p in excinfo.value.problems]


# -- small helpers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We ask.", "we ask"),
        ("  Don't   KNOW ", "dont know"),
        ("Don\u2019t know", "dont know"),
        ("N/A", "n a"),
        ("e-mail", "e mail"),
        ("Comments: Sharing power", "comments sharing power"),
    ],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize(("i", "letter"), [(0, "A"), (2, "C"), (25, "Z"), (26, "AA"), (27, "AB")])
def test_column_letter(i, letter):
    assert column_letter(i) == letter


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Fine = good", "Fine = good"),
        ("", ""),
    ],
)
def test_escape_formula(text, expected):
    assert escape_formula(text) == expected


# -- values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "rating"),
    [
        ("4", Rating(4)),
        ("4.0", Rating(4)),
        (" 3 ", Rating(3)),
        ("4 - Always", Rating(4)),
        ("4 \u2013 Always", Rating(4)),
        ("4\u2014Always", Rating(4)),
        ("2. Rarely", Rating(2)),
        ("3 (Often)", Rating(3)),
        ("3 - Most of the time", Rating(3)),  # the form's own wording of 3
        ("often", Rating(3)),
        ("ALWAYS", Rating(4)),
        ("", Rating()),
        ("   ", Rating()),
        ("Don't know", Rating(None, True)),
        ("dont know", Rating(None, True)),
        ("Don\u2019t Know", Rating(None, True)),
        ("N/A", Rating(None, True)),
    ],
)
def test_parse_rating_accepts(cell, rating, small_framework):
    assert parse_rating(cell, small_framework.scale) == rating


@pytest.mark.parametrize("cell", ["6", "0", "-1", "4.5", "lots", "5 - Always", "4,5"])
def test_parse_rating_refuses_with_the_scale(cell, small_framework):
    with pytest.raises(ValueError) as e:
        parse_rating(cell, small_framework.scale)
    assert str(e.value) == (f"{cell!r} is not on the scale 1–4 (1 Never … 4 Always), or Don't know")


def test_a_label_that_contradicts_the_number_is_refused(small_framework):
    with pytest.raises(ValueError, match="4 is 'Always' on this scale, not 'Never'"):
        parse_rating("4 - Never", small_framework.scale)


def test_dont_know_only_where_the_scale_offers_it():
    scale = make_small_framework(dont_know=False).scale
    with pytest.raises(ValueError, match='no "don\'t know"; leave the cell blank'):
        parse_rating("Don't know", scale)
    with pytest.raises(ValueError, match=r"1–4 \(1 Never … 4 Always\)$"):
        parse_rating("9", scale)


# -- reading the file -----------------------------------------------------------------------

GOOD = csv_text(
    ["Timestamp", "Email Address", *(GRID.format(s) for s in STATEMENTS)],
    ["2025/03/04 10:01:02", "ana@example.org", "4 - Always", "3", "2", "1"],
    ["2025/03/04 10:05:40", "ben@example.org", "3", "3", "Don't know", ""],
)


def test_utf8_with_bom_semicolons_and_excel_sep_line():
    t = read_table(b"\xef\xbb\xbf" + GOOD.encode(), "a.csv")
    assert t.headers[0] == "Timestamp"
    assert len(t.rows) == 2 and t.notes == ()
    t = read_table(GOOD.replace(",", ";").encode(), "b.csv")
    assert t.delimiter == ";" and t.rows[0].cells[1] == "ana@example.org"
    assert "separated by semicolons" in t.notes[0]
    t = read_table(b"sep=;\n" + GOOD.replace(",", ";").encode(), "c.csv")
    assert t.headers[0] == "Timestamp"
    assert (t.rows[0].number, t.rows[0].line) == (1, 3)


def test_tabs_and_utf16_as_excel_unicode_text():
    t = read_table(GOOD.replace(",", "\t").encode("utf-16"), "u.txt")
    assert t.delimiter == "\t" and t.rows[1].cells[4] == "Don't know"


def test_windows_1252_is_read_with_a_note():
    text = csv_text(["Timestamp", "We ask.", "Comments: Listening"], ["t1", "4", "Très bien"])
    t = read_table(text.encode("cp1252"), "w.csv")
    assert t.rows[0].cells[2] == "Très bien"
    assert t.notes == (
        "w.csv is not UTF-8; it was read as Windows-1252 (Excel's usual encoding): check that "
        "accented letters came through",
    )


def test_line_numbers_count_multi_line_cells_and_skip_blank_lines():
    text = 'We ask.,Comments: Listening\n\n4,"two\nlines"\n\n3,\n'
    t = table(text)
    assert [(r.number, r.line) for r in t.rows] == [(1, 3), (2, 6)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "r.csv: the file is empty: expected a header row, then one row per response"),
        (b"  \n\n ", "r.csv: the file is empty: expected a header row, then one row per response"),
        (b",,\n,,\n", "r.csv: the file is empty: expected a header row, then one row per response"),
        (b"Timestamp,We ask.\n", "r.csv: the file has a header row but no responses below it"),
        (b"PK\x03\x04\x14\x00rest", "r.csv: this is a spreadsheet workbook (.xlsx or .ods)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "r.csv: not a CSV file: it holds binary data"),
        (b'{"a": 1}', "r.csv: line 1: this looks like JSON, not CSV"),
        (b"<html><body>x</body></html>", "r.csv: line 1: this looks like HTML or XML, not CSV"),
        (b'We ask.,We pay.\n4,"3\n', "r.csv: line 2: not valid CSV (unexpected end of data)"),
        (b"\xef\xbb\xbfWe ask.\n\xff\xfe\n", "r.csv: marked as UTF-8 but is not valid UTF-8"),
    ],
)
def test_files_that_are_not_usable_csv(data, message):
    with pytest.raises(ExchangeError) as e:
        read_table(data, "r.csv")
    assert str(e.value).startswith(message)


# -- matching columns -----------------------------------------------------------------------


def kinds(cmap) -> list[tuple[str, str, str]]:
    return [(c.letter, c.kind, c.target) for c in cmap.columns]


def test_columns_by_text_id_grid_number_containment_and_truncation(small_framework):
    header = [
        "Timestamp",
        "E-mail",
        "Your name",
        "Role",
        "How often is this true? [We ask.]",  # Google Forms grid
        "p1-b",  # the id
        "3. We decide together? (required)",  # contains the text
        "We pay.",  # the text
        "Comments: Listening",
        "Comments [Sharing power]",
        "Score",  # a form tool's own extra
    ]
    t = table(csv_text(header, ["x"] * len(header)))
    cmap = map_columns(t, small_framework)
    assert kinds(cmap) == [
        ("A", "timestamp", ""),
        ("B", "email", ""),
        ("C", "name", ""),
        ("D", "role", ""),
        ("E", "statement", "p1-a"),
        ("F", "statement", "p1-b"),
        ("G", "statement", "p2-a"),
        ("H", "statement", "p2-b"),
        ("I", "comment", "p1"),
        ("J", "comment", "p2"),
        ("K", "ignore", ""),
    ]
    assert cmap.notes == ("ignored: column K 'Score'",)


def test_a_truncated_header_and_a_numbered_one(small_framework):
    t = table(csv_text(["1. We ask.", "We decide togeth…", "Q4 We pay"], ["1", "2", "3"]))
    assert kinds(map_columns(t, small_framework)) == [
        ("A", "statement", "p1-a"),
        ("B", "statement", "p2-a"),
        ("C", "statement", "p2-b"),
    ]
    assert map_columns(t, small_framework).notes == (
        "no column for 1 statement, left unrated: p1-b",
    )


def test_a_statement_about_email_is_a_statement_not_the_email_column(small_framework):
    p1 = small_framework.principles[0]
    fw = replace(
        small_framework,
        principles=(
            replace(p1, statements=(Statement("p1-a", "We answer emails within a day."),)),
            small_framework.principles[1],
        ),
    )
    t = table(csv_text(["Email", "We answer emails within a day."], ["a@b.c", "4"]))
    assert kinds(map_columns(t, fw)) == [("A", "email", ""), ("B", "statement", "p1-a")]


def test_unmatched_columns_are_listed_by_letter_with_a_hint(small_framework):
    text = csv_text(["Timestamp", "Q1", "We act on it.", "", "Q3"], ["t", "4", "3", "x", "2"])
    with pytest.raises(ExchangeError) as e:
        map_columns(table(text), small_framework)
    assert problems(e) == [
        "r.csv: column B 'Q1': matches no statement of small@1.0, and is not a timestamp, "
        "email, name, role or comment column",
        "r.csv: column D (no header): matches no statement of small@1.0, and is not a "
        "timestamp, email, name, role or comment column",
        "r.csv: column E 'Q3': matches no statement of small@1.0, and is not a timestamp, "
        "email, name, role or comment column",
    ]
    assert "use a mapping file (--mapping)" in e.value.hint
    assert '"Q1": p1-a' in e.value.hint
    assert "Statements with no column yet: p1-a 'We ask.'; p2-a" in e.value.hint


def test_an_empty_column_with_no_header_is_left_alone(small_framework):
    t = table("We ask.,We pay.,\n4,3,\n")
    assert kinds(map_columns(t, small_framework)) == [
        ("A", "statement", "p1-a"),
        ("B", "statement", "p2-b"),
    ]


def test_two_columns_for_one_statement_are_named(small_framework):
    t = table(csv_text(["We ask.", "p1-a"], ["4", "3"]))
    with pytest.raises(ExchangeError) as e:
        map_columns(t, small_framework)
    assert problems(e) == [
        "r.csv: column A 'We ask.' and column B 'p1-a': both hold statement p1-a: map one of "
        "them to something else (or ignore) in a mapping file"
    ]


def test_one_column_file_suggests_it_is_not_csv(small_framework):
    with pytest.raises(ExchangeError) as e:
        map_columns(table("hello world\nthis is prose\n"), small_framework)
    assert "Only one column was found" in e.value.hint


def test_no_statement_column_at_all(small_framework):
    with pytest.raises(ExchangeError, match="no column matches a statement of small@1.0"):
        map_columns(table("Timestamp,Email\nt,a@b.c\n"), small_framework)


# -- the mapping file -----------------------------------------------------------------------

MAPPED = csv_text(
    ["Submitted at", "Q1", "Q2", "Q3", "Q4", "Anything else?", "Points"],
    ["t1", "4", "3", "2", "1", "Good", "7"],
)


def test_a_mapping_file_says_what_columns_hold(small_framework):
    m = parse_mapping(
        "# header: target\n"
        'Q1: p1-a\nQ2: P1-B\n"Q3": p2-a\nq4: p2-b\n'
        '"Anything else?": comment:p2\nPoints: ignore\n',
        "map.yaml",
    )
    assert m.entries[0] == MappingEntry("Q1", "p1-a", 2)
    t = table(MAPPED)
    assert kinds(map_columns(t, small_framework, m)) == [
        ("A", "timestamp", ""),
        ("B", "statement", "p1-a"),
        ("C", "statement", "p1-b"),
        ("D", "statement", "p2-a"),
        ("E", "statement", "p2-b"),
        ("F", "comment", "p2"),
        ("G", "ignore", ""),
    ]
    p = check_rows(t, map_columns(t, small_framework, m), small_framework, rnd())
    assert p.rows[0].answer.comments == {"p2": "Good"}


def test_mapping_problems_name_the_line_and_what_was_expected(small_framework):
    m = parse_mapping(
        "Q1: p1-z\nQ2: comment:p9\nNot there: p1-b\nQ3: whatever\nQ4: p2-b\n", "map.yaml"
    )
    with pytest.raises(ExchangeError) as e:
        map_columns(table(MAPPED), small_framework, m)
    got = problems(e)
    assert got[0] == (
        "map.yaml: line 1: 'Q1': 'p1-z' is not a statement of small@1.0: expected a statement "
        "id (such as p1-a), comment:<principle id>, timestamp, email, name, role or ignore"
    )
    assert got[1] == (
        "map.yaml: line 2: 'Q2': 'p9' is not a principle of small@1.0 (expected one of: p1, p2)"
    )
    assert got[2] == "map.yaml: line 3: 'Not there': no column of r.csv has this header"
    assert got[3].startswith("map.yaml: line 4: 'Q3': 'whatever' is not a statement")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "map.yaml: the mapping is empty"),
        ("- Q1\n- Q2\n", "map.yaml: line 1: expected a YAML file"),
        ("Q1: [p1-a\n", "map.yaml: line 2: not valid YAML"),
        ("Q1:\n", "map.yaml: line 1: 'Q1': expected a statement id"),
        ("Q1: p1-a\nQ1: p1-b\n", "map.yaml: line 2: 'Q1' is already mapped on line 1"),
    ],
)
def test_bad_mapping_files(text, message):
    with pytest.raises(ExchangeError) as e:
        parse_mapping(text, "map.yaml")
    assert str(e.value).startswith(message)


def test_a_mapping_header_that_appears_twice_is_ambiguous(small_framework):
    t = table(csv_text(["Q", "Q", "We pay."], ["1", "2", "3"]))
    m = Mapping("map.yaml", (MappingEntry("Q", "p1-a", 1),))
    with pytest.raises(ExchangeError, match="columns A and B of r.csv both have this header"):
        map_columns(t, small_framework, m)


# -- checking rows --------------------------------------------------------------------------


def test_good_rows_become_submitted_answers():
    p = plan(GOOD)
    a, b = (r.answer for r in p.rows)
    assert a.ratings == {"p1-a": Rating(4), "p1-b": Rating(3), "p2-a": Rating(2), "p2-b": Rating(1)}
    assert b.ratings == {"p1-a": Rating(3), "p1-b": Rating(3), "p2-a": Rating(None, True)}
    assert a.submitted and a.name == "" and a.role == ""
    assert [(r.number, r.line) for r in p.rows] == [(1, 2), (2, 3)]
    assert "column B 'Email Address': emails are not stored (the round is anonymous)" in p.notes


def test_every_problem_in_every_row_is_reported():
    text = csv_text(
        ["Timestamp", "Role", "We ask.", "We act on it.", "We decide together.", "We pay."],
        ["t1", "Staff", "4", "3", "2", "1"],
        ["t2", "Staff", "6", "3", "2", "lots"],
        ["t3", "Manager", "3", "3", "2", "1"],
        ["t4", "staff", "3", "3", "2", "1", "", "stray"],
    )
    with pytest.raises(ExchangeError) as e:
        plan(text)
    assert problems(e) == [
        "r.csv: row 2 (line 3), column C 'We ask.': '6' is not on the scale 1–4 "
        "(1 Never … 4 Always), or Don't know",
        "r.csv: row 2 (line 3), column F 'We pay.': 'lots' is not on the scale 1–4 "
        "(1 Never … 4 Always), or Don't know",
        "r.csv: row 3 (line 4), column B 'Role': 'Manager' is not a role of this round: "
        "expected one of Staff, Carer, or blank",
        "r.csv: row 4 (line 5): 8 cells, but the header has 6 columns: a stray comma or quote?",
    ]


def test_roles_are_matched_whatever_their_case():
    text = csv_text(["Role", "We ask."], ["staff", "4"], ["CARER", "3"], ["", "2"])
    assert [r.answer.role for r in plan(text).rows] == ["Staff", "Carer", ""]


def test_a_role_column_in_a_round_without_roles():
    text = csv_text(["Role", "We ask."], ["Staff", "4"])
    with pytest.raises(ExchangeError, match="column A 'Role': this round has no roles"):
        plan(text, round_=rnd(roles=()))


def test_the_same_email_twice_is_one_person_counted_twice():
    text = csv_text(
        ["Timestamp", "Email", "We ask."],
        ["t1", "ana@example.org", "4"],
        ["t2", "ben@example.org", "4"],
        ["t3", "ANA@example.org", "2"],
    )
    with pytest.raises(ExchangeError) as e:
        plan(text)
    assert problems(e) == [
        "r.csv: row 1 (line 2) and row 3 (line 4): the same email answered twice, so one "
        "person would count twice: keep one of the rows"
    ]


def test_an_exact_repeat_is_refused_but_two_people_at_one_time_are_two():
    rep = csv_text(["Timestamp", "We ask."], ["t1", "4"], ["t2", "3"], ["t1", "4"])
    with pytest.raises(ExchangeError, match=r"row 1 \(line 2\) and row 3 \(line 4\): the same"):
        plan(rep)
    same_time = csv_text(["Timestamp", "We ask."], ["t1", "4"], ["t1", "3"])
    assert len({r.token for r in plan(same_time).rows}) == 2
    # Without a timestamp, the same answers from two people are two answers.
    no_time = csv_text(["We ask.", "We pay."], ["4", "3"], ["4", "3"])
    assert len({r.token for r in plan(no_time).rows}) == 2


def test_tokens_are_stable_per_round_and_keep_no_email():
    first = [r.token for r in plan(GOOD).rows]
    assert first == [r.token for r in plan(GOOD).rows]
    assert first != [r.token for r in plan(GOOD, round_=rnd(rid=2)).rows]
    assert all(t.startswith("import-") and "example" not in t for t in first)
    # Keyed by the email, so a response edited in the form tool (new timestamp) is the same one.
    edited = GOOD.replace("2025/03/04 10:01:02", "2025/03/06 08:00:00").replace("4 - Always", "1")
    assert [r.token for r in plan(edited).rows] == first
    assert first[0] == row_token(1, "email:ana@example.org")


def test_names_in_named_rounds_only():
    text = csv_text(
        ["Email", "Name", "We ask."], ["ana@example.org", "Ana", "4"], ["ben@example.org", "", "3"]
    )
    assert [r.answer.name for r in plan(text).rows] == ["", ""]
    named = plan(text, round_=rnd(anonymous=False))
    assert [r.answer.name for r in named.rows] == ["Ana", "ben@example.org"]
    no_name = csv_text(["Timestamp", "We ask."], ["t1", "4"])
    with pytest.raises(ExchangeError, match="this round is named: expected a name"):
        plan(no_name, round_=rnd(anonymous=False))
    blank = csv_text(["Name", "We ask."], ["Ana", "4"], ["", "3"])
    with pytest.raises(ExchangeError, match=r"row 2 \(line 3\): this round is named"):
        plan(blank, round_=rnd(anonymous=False))


def test_rows_with_no_answers_are_skipped_and_said():
    text = csv_text(["Timestamp", "We ask."], ["t1", "4"], ["t2", ""], ["t3", "2"])
    p = plan(text)
    assert [r.number for r in p.rows] == [1, 3] and p.skipped == (2,)
    assert "skipped 1 row with no answers: 2" in p.notes
    with pytest.raises(ExchangeError, match="no row has any ratings or comments"):
        plan(csv_text(["Timestamp", "We ask."], ["t1", ""]))


# -- export ---------------------------------------------------------------------------------


def answers(*specs) -> list[Answer]:
    out = []
    for i, (role, value, comment) in enumerate(specs):
        out.append(
            Answer(
                ratings={"p1-a": Rating(value), "p2-a": Rating(None, True)},
                comments={"p1": comment} if comment else {},
                status="submitted",
                name=f"Person {i}",
                role=role,
                submitted_at=f"2025-03-0{i + 1}T10:00:00.000+00:00",
            )
        )
    return out


def test_export_is_refused_below_the_minimum(small_framework):
    few = answers(("Staff", 4, ""), ("Staff", 3, "")) + [Answer(status="draft")]
    with pytest.raises(InvalidInput) as e:
        build_export(rnd(), small_framework, few)
    assert str(e.value) == (
        "round 1 has 2 submitted answers; its ratings can be exported from 3 (fewer would show "
        "what individuals said)"
    )


@pytest.mark.parametrize(
    ("roles", "shown"),
    [
        (["Staff"] * 3 + ["Carer"] * 3, {"Staff", "Carer"}),
        (["Staff"] * 3 + ["Carer"], set()),  # a blank role would be the one carer
        (["Staff"] * 3 + ["Carer", "", ""], {"Staff"}),
        (["Staff"] * 2 + ["Carer"] * 2, set()),
        (["Staff"] * 4, {"Staff"}),
    ],
)
def test_roles_shown_only_where_enough_people_share_them(roles, shown):
    assert shown_roles(rnd(), [Answer(role=r) for r in roles]) == shown
    assert shown_roles(rnd(anonymous=False), [Answer(role=r) for r in roles]) == {
        r for r in roles if r
    }


def test_anonymous_export_shuffles_and_keeps_no_names_times_or_links(small_framework):
    data = answers(("Staff", 1, '=HYPERLINK("http://x")'), ("Staff", 2, "b"), ("Staff", 3, "a"))
    data += answers(("Carer", 4, ""))
    ex = build_export(rnd(), small_framework, data, shuffle=lambda xs: xs.reverse())
    assert [r.ratings["p1-a"].value for r in ex.respondents] == [4, 3, 2, 1]
    assert {r.role for r in ex.respondents} == {""}  # Carer alone: no role at all
    assert all(r.name == "" and r.submitted_at == "" for r in ex.respondents)
    assert [(c.text, c.respondent, c.name) for c in ex.comments] == [
        ('=HYPERLINK("http://x")', None, ""),
        ("a", None, ""),
        ("b", None, ""),
    ]
    # The default shuffle is random: over a few exports the order changes.
    orders = {
        tuple(
            r.ratings["p1-a"].value for r in build_export(rnd(), small_framework, data).respondents
        )
        for _ in range(30)
    }
    assert len(orders) > 1

    text = export_csv(ex)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "kind",
        "round",
        "team",
        "framework_id",
        "framework_version",
        "respondent",
        "role",
        "principle_id",
        "principle_title",
        "statement_id",
        "statement_text",
        "value",
        "label",
        "dont_know",
        "comment",
    ]
    assert rows[0] | {} == {
        "kind": "rating",
        "round": "1",
        "team": "Riverside",
        "framework_id": "small",
        "framework_version": "1.0",
        "respondent": "1",
        "role": "",
        "principle_id": "p1",
        "principle_title": "Listening",
        "statement_id": "p1-a",
        "statement_text": "We ask.",
        "value": "4",
        "label": "Always",
        "dont_know": "false",
        "comment": "",
    }
    assert rows[1]["label"] == "Don't know" and rows[1]["value"] == ""
    assert rows[1]["dont_know"] == "true"
    comments = [r for r in rows if r["kind"] == "comment"]
    assert [(c["respondent"], c["comment"]) for c in comments] == [
        ("", '\'=HYPERLINK("http://x")'),
        ("", "a"),
        ("", "b"),
    ]
    assert "Person" not in text and "2025-03" not in text

    doc = json.loads(export_json(ex))
    assert doc["respondents"][0] == {"respondent": 1, "ratings": {"p1-a": 4, "p2-a": "dont_know"}}
    assert doc["comments"][0] == {
        "principle_id": "p1",
        "principle_title": "Listening",
        "text": '=HYPERLINK("http://x")',
    }
    assert doc["framework"]["id"] == "small" and doc["framework"]["version"] == "1.0"
    assert "Person" not in json.dumps(doc) and "2025-03" not in json.dumps(doc)


def test_named_export_has_names_roles_and_linked_comments(small_framework):
    data = answers(("Staff", 1, "=1+1"), ("Carer", 2, ""), ("", 3, "ok"))
    data[1].name = "@bob"
    ex = build_export(rnd(anonymous=False), small_framework, data)
    assert [(r.number, r.name, r.role) for r in ex.respondents] == [
        (1, "@bob", "Carer"),
        (2, "Person 0", "Staff"),
        (3, "Person 2", ""),
    ]
    assert [(c.respondent, c.name, c.text) for c in ex.comments] == [
        (2, "Person 0", "=1+1"),
        (3, "Person 2", "ok"),
    ]
    rows = list(csv.DictReader(io.StringIO(export_csv(ex))))
    assert rows[0]["name"] == "'@bob" and rows[0]["submitted_at"].startswith("2025-03-02")
    assert [r["comment"] for r in rows if r["kind"] == "comment"] == ["'=1+1", "ok"]
    doc = json.loads(export_json(ex))
    assert doc["respondents"][0]["name"] == "@bob"
    assert doc["comments"][0]["respondent"] == 2


def test_team_and_role_names_are_formula_safe_too(small_framework):
    r = replace(rnd(roles=("-lead",)), team="=cmd|' /C calc'!A0")
    data = [replace(a, role="-lead") for a in answers(("", 1, ""), ("", 2, ""), ("", 3, ""))]
    rows = list(csv.DictReader(io.StringIO(export_csv(build_export(r, small_framework, data)))))
    assert {x["team"] for x in rows} == {"'=cmd|' /C calc'!A0"}
    assert {x["role"] for x in rows} == {"'-lead"}


def test_seeded_shuffle_is_used(small_framework):
    data = answers(*[("", v, "") for v in (1, 2, 3, 4)])
    a = build_export(rnd(), small_framework, data, shuffle=random.Random(7).shuffle)
    b = build_export(rnd(), small_framework, data, shuffle=random.Random(7).shuffle)
    assert [r.ratings for r in a.respondents] == [r.ratings for r in b.respondents]


def test_a_header_holding_two_statements_is_ambiguous(small_framework):
    t = table(csv_text(["We ask. We pay.", "We act on it."], ["4", "3"]))
    with pytest.raises(ExchangeError) as e:
        map_columns(t, small_framework)
    assert problems(e) == [
        "r.csv: column A 'We ask. We pay.': could be any of the statements p1-a, p2-b: say "
        "which in a mapping file"
    ]
    assert '"We ask. We pay.": p1-a' in e.value.hint


def test_an_anonymous_export_leaves_out_a_principle_too_few_rated(small_framework):
    """As on the results page: p2 rated by one person (the others "don't know") is held back."""
    data = answers(("Staff", 1, ""), ("Staff", 2, ""), ("Staff", 3, ""))
    data[0] = replace(data[0], ratings={**data[0].ratings, "p2-a": Rating(4)})
    ex = build_export(rnd(), small_framework, data, shuffle=lambda xs: None)
    assert ex.held_back == ("p2",)
    assert all(r.ratings.get("p2-a", Rating(None, True)).value is None for r in ex.respondents)
    assert [r.ratings["p1-a"].value for r in ex.respondents] == [1, 2, 3]
    assert json.loads(export_json(ex))["round"]["held_back_principles"] == ["p2"]
    rows = list(csv.DictReader(io.StringIO(export_csv(ex))))
    assert [r["value"] for r in rows if r["statement_id"] == "p2-a"] == ["", ""]  # don't knows
    named = build_export(rnd(anonymous=False), small_framework, data)
    assert named.held_back == () and any("p2-a" in r.ratings for r in named.respondents)
