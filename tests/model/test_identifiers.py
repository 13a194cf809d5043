"""The identifier check: what may identify someone is found, with where it is; a clean
reflection raises nothing."""

from __future__ import annotations

import pytest

from coprod_widgets.model.identifiers import find_in_text, nhs_number_valid, scan

PLANTED = (
    "Mrs B (DOB 12/03/1948) lives near Cardiff CF10 3AT. Her NHS number is 943 476 5919 "
    "and she asked me to call her on 07700 900123 or her daughter at jo.bloggs@example.org. "
    "The ward is on 029 2074 7747. She was born on 3 March 1950 in Leeds."
)

CLEAN = (
    "On 12/03/2024 I co-facilitated the ward's first co-produced planning meeting with two peer "
    "workers. We met at 3pm in room B2 for 90 minutes; 14 people came, and the agenda had 5 "
    "items. Reference 2024-117 in the team log. I felt nervous at first, then relieved when a "
    "member with lived experience took the chair. Next time I will send the papers 7 days "
    "before, in plain English, and pay people for their time at the NIHR rate of £25 an hour. "
    "Our score went from 2.5 to 3.75 on the six-point scale. Call-backs rose by 12 per cent. "
    "The M25 was closed, so two people arrived late. Version 1.0.3 of the guide helped."
)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(m.kind, m.text) for m in find_in_text(text)]


def test_every_identifier_in_a_planted_text_is_found_with_its_exact_span():
    found = find_in_text(PLANTED)
    assert [(m.kind, m.text) for m in found] == [
        ("date-of-birth", "12/03/1948"),
        ("postcode", "CF10 3AT"),
        ("nhs-number", "943 476 5919"),
        ("phone", "07700 900123"),
        ("email", "jo.bloggs@example.org"),
        ("phone", "029 2074 7747"),
        ("date-of-birth", "3 March 1950"),
    ]
    for m in found:
        assert PLANTED[m.start : m.end] == m.text


def test_nothing_is_flagged_in_a_clean_reflection():
    assert find_in_text(CLEAN) == []


@pytest.mark.parametrize("number", ["9434765919", "4010232137", "943-476-5919", "401 023 2137"])
def test_nhs_numbers_with_a_valid_check_digit_are_flagged(number):
    assert kinds(f"Patient {number} was seen.") == [("nhs-number", number)]


@pytest.mark.parametrize("number", ["9434765910", "4010232136", "943 476 5911", "1234567890"])
def test_ten_digit_numbers_with_a_bad_check_digit_are_not(number):
    assert not nhs_number_valid(number.replace(" ", ""))
    assert kinds(f"Order {number} was placed.") == []


def test_the_modulus_11_check_rejects_a_remainder_of_ten():
    # 1000000010: weights give 10*1 + 2*1 = 12; 11 - 12 % 11 = 10: never issued.
    assert not nhs_number_valid("1000000010")
    assert not nhs_number_valid("123456789")  # nine digits
    assert not nhs_number_valid("12345678901")


@pytest.mark.parametrize(
    "phone",
    [
        "07700 900123",
        "07700900123",
        "+44 7700 900123",
        "+44 (0)29 2087 4000",
        "(01632) 960001",
        "0800 123 456",
    ],
)
def test_uk_phone_numbers_are_flagged(phone):
    assert kinds(f"Ring {phone} today.") == [("phone", phone)]


@pytest.mark.parametrize("postcode", ["SW1A 1AA", "CF10 3AT", "M1 1AE", "b33 8th", "EC1A1BB"])
def test_uk_postcodes_are_flagged(postcode):
    assert kinds(f"She lives at {postcode} now.") == [("postcode", postcode)]


@pytest.mark.parametrize(
    "text, date",
    [
        ("DOB: 01/02/1959, seen today", "01/02/1959"),
        ("D.O.B. 1.2.59 was on the form", "1.2.59"),
        ("born on the 3rd of March 1950", "3rd of March 1950"),
        ("Date of birth 1950-03-03.", "1950-03-03"),
        ("1950-03-03 (date of birth) is in the notes", "1950-03-03"),
        ("Born: January 5, 1970", "January 5, 1970"),
    ],
)
def test_dates_near_birth_words_are_dates_of_birth(text, date):
    assert kinds(text) == [("date-of-birth", date)]


def test_other_dates_are_left_alone_even_after_a_birth_elsewhere():
    text = "She was born in the spring. On 12/03/2024 we met, and 2024-03-19 too."
    assert kinds(text) == []
    text = "Born 3 March 1950. Seen on 12/03/2024."
    assert kinds(text) == [("date-of-birth", "3 March 1950")]


def test_scan_says_which_field_where_and_shows_the_context():
    [f] = scan(
        [
            ("entry:1:title", "Entry “Ward” › title", "Ward round"),
            (
                "entry:1:stage:feelings",
                "Entry “Ward” › Feelings",
                "I rang 07700 900123 and waited.",
            ),
        ]
    )
    assert (f.field, f.label, f.kind) == (
        "entry:1:stage:feelings",
        "Entry “Ward” › Feelings",
        "phone",
    )
    assert (f.start, f.end) == (7, 19)
    assert f.excerpt == "I rang 07700 900123 and waited."
    assert "characters 8-19" in f.message() and "a phone number" in f.message()


@pytest.mark.parametrize(
    "text",
    [
        "room B12 2nd floor",
        "take the M6 1st exit",
        "from 10:00 01-02-2024 we met",
        "Invoice 0012345678 was paid",
        "We met on 12/03/2024 at 10:30 to look at the 2023 figures",
    ],
)
def test_ordinals_times_references_and_plain_dates_are_not_flagged(text):
    assert find_in_text(text) == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Mrs X (born 1948) came to the meeting on 12/03/2024", "1948"),
        ("she was born in March 1948, she said", "March 1948"),
        ("b. 12/03/1948", "12/03/1948"),
        ("DOB 1948", "1948"),
    ],
)
def test_a_birth_year_is_caught_and_the_meeting_date_beside_it_is_not(text, found):
    assert [(m.kind, m.text) for m in find_in_text(text)] == [("date-of-birth", found)]
