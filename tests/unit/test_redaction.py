"""No email, phone number, card number or person name reaches a log line, whatever is passed."""

from __future__ import annotations

import hashlib
import hmac
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cart_migration.catalogue import EVENTS
from cart_migration.event_log import CartMigrationMetrics, log_operational
from cart_migration.redaction import (
    hash_customer_id,
    mask_email,
    passes_luhn,
    redact_record,
    scrub_string,
)
from tests.unit.support import captured_stdout, unit_settings


def luhn_complete(prefix: str) -> str:
    """Append the check digit that makes ``prefix`` Luhn-valid."""
    for check in "0123456789":
        if passes_luhn(prefix + check):
            return prefix + check
    raise AssertionError("unreachable: one digit always completes a Luhn number")


local_parts = st.text(string.ascii_letters + string.digits + "._+-", min_size=1, max_size=20).filter(
    lambda local: local[0].isalnum()
)
domains = st.from_regex(r"[a-z]{2,12}\.(com|in|co\.uk|org)", fullmatch=True)
emails = st.builds(lambda local, domain: f"{local}@{domain}", local_parts, domains)
phones = st.one_of(
    st.from_regex(r"\+91 [6-9]\d{4} \d{5}", fullmatch=True),
    st.from_regex(r"\+1 \(\d{3}\) \d{3}-\d{4}", fullmatch=True),
    st.from_regex(r"[6-9]\d{9}", fullmatch=True),
    st.from_regex(r"\d{3}-\d{3}-\d{4}", fullmatch=True),
    st.from_regex(r"\d{3}\.\d{3}\.\d{4}", fullmatch=True),
    st.from_regex(r"\d{3} \d{3} \d{4}", fullmatch=True),
    st.from_regex(r"\+91\.[6-9]\d{4}\.\d{5}", fullmatch=True),
)


def formatted_card(prefix: str, separator: str | None) -> str:
    number = luhn_complete(prefix)
    return number if separator is None else separator.join(number[i : i + 4] for i in range(0, 16, 4))


card_numbers = st.builds(
    formatted_card, st.from_regex(r"4\d{14}", fullmatch=True), st.sampled_from([None, " ", "-", "."])
)
person_names = st.builds(
    lambda first, last: f"{first} {last}",
    st.sampled_from(["Priya", "Arjun", "Meera", "Rahul", "Ananya"]),
    st.from_regex(r"Zq[a-z]{6}", fullmatch=True),  # surnames no log line could hold by chance
)
# What a personal field may hold that is not itself a name, email, phone or card, yet is personal:
# the whole value goes, whatever it looks like ("Jane Doe @home" is no email to mask).
personal_values = st.one_of(
    person_names,
    st.builds(
        lambda name, where: f"{name} @{where}", person_names, st.sampled_from(["home", "work", "Mumbai"])
    ),
    st.builds(lambda name: f"{name} <no-email@>", person_names),
)
# Whole numbers long enough to be a phone or card number stored as a number.
large_integers = st.one_of(
    st.integers(min_value=10**9, max_value=10**40),
    st.integers(min_value=-(10**40), max_value=-(10**9)),
)
personal_keys = st.sampled_from(
    [
        "name",
        "first_name",
        "last_name",
        "full_name",
        "customerName",
        "fullName",
        "email",
        "phone",
        "phone_number",
        "mobile",
        "card",
        "card_number",
        "creditCard",
    ]
)
filler = st.text(string.ascii_letters + " :,;=()[]", max_size=15)


@st.composite
def embedded(draw, secret_strategy):
    secret = draw(secret_strategy)
    return secret, f"{draw(filler)} {secret} {draw(filler)}"


def emitted_text(event_type: str, fields: dict) -> str:
    with captured_stdout() as lines:
        CartMigrationMetrics.emit(event_type, **fields)
    return lines.text


event_types = st.sampled_from(sorted(EVENTS))
field_names = st.sampled_from(
    ["error_message", "reason", "guest_session_id", "store_id", "note", "resolution"]
)


@unit_settings
@given(event_types, field_names, st.one_of(embedded(emails), embedded(phones), embedded(card_numbers)))
def test_emails_phones_and_cards_in_any_field_never_reach_the_line(event_type, field, secret_and_text):
    secret, text = secret_and_text

    output = emitted_text(event_type, {field: text, "nested": {"list": [text, {"deeper": text}]}})

    assert secret not in output
    assert output.count("\n") == 1  # still exactly one line


@unit_settings
@given(event_types, personal_keys, personal_values)
def test_values_under_personal_keys_never_reach_the_line(event_type, key, name):
    output = emitted_text(event_type, {key: name, "context": {key: name}, "items": [{key: name}]})

    assert name not in output
    assert name.split()[1] not in output  # the surname, "Zq..."


@unit_settings
@given(event_types, field_names, large_integers)
def test_large_whole_numbers_in_any_field_never_reach_the_line(event_type, field, number):
    output = emitted_text(
        event_type, {field: number, "nested": {"list": [number, {"deeper": float(number)}]}}
    )

    assert str(number) not in output
    assert str(abs(number))[:10] not in output  # not even its leading digits
    assert output.count("\n") == 1


@pytest.mark.parametrize(
    ("text", "marker"),
    [
        ("call 555.123.4567 today", "[REDACTED_PHONE]"),
        ("call 555 123 4567 today", "[REDACTED_PHONE]"),
        ("+91.98765.43210", "[REDACTED_PHONE]"),
        ("paid with 4111.1111.1111.1111", "[REDACTED_CARD]"),
        ("paid with 4111 1111 1111 1111", "[REDACTED_CARD]"),
    ],
)
def test_phone_and_card_numbers_grouped_by_dots_or_spaces_are_removed(text, marker):
    scrubbed = scrub_string(text)

    assert marker in scrubbed
    assert "4567" not in scrubbed and "1111" not in scrubbed and "43210" not in scrubbed


def test_a_personal_field_holding_an_at_sign_is_redacted_whole():
    redacted = redact_record({"customer_name": "Jane Doe @home", "contact": {"email": "jane@example.com"}})

    assert redacted == {"customer_name": "[REDACTED]", "contact": {"email": "[REDACTED]"}}


@pytest.mark.parametrize(
    ("number", "marker"),
    [
        (9876543210, "[REDACTED_PHONE]"),
        (4111111111111111, "[REDACTED_CARD]"),
        (4111111111111112, "[REDACTED_NUMBER]"),
        (10**25, "[REDACTED_NUMBER]"),
        (-9876543210, "[REDACTED_PHONE]"),
        (9876543210.0, "[REDACTED_PHONE]"),
    ],
)
def test_large_whole_numbers_are_replaced(number, marker):
    assert redact_record({"note": number}) == {"note": marker}


def test_small_numbers_decimals_and_addresses_pass_through():
    record = {
        "count": 999_999_999,
        "total_value": 1250.5,
        "ratio": 12345678.9,
        "ip_address": "192.168.100.200",
    }

    assert redact_record(record) == record
    assert scrub_string("took 12345678.90 ms from 10.0.0.1") == "took 12345678.90 ms from 10.0.0.1"


def test_without_a_hash_key_no_public_key_is_used(monkeypatch):
    monkeypatch.delenv("LOG_HASH_KEY")
    pseudonym = hash_customer_id("user-123456")
    public_development_key = "cart-migration-development-log-hash-key"  # what older versions used
    reversible = hmac.new(public_development_key.encode(), b"user-123456", hashlib.sha256).hexdigest()[:16]

    assert pseudonym.startswith("cust_") and pseudonym == hash_customer_id("user-123456")
    assert pseudonym != "cust_" + reversible
    assert pseudonym != hash_customer_id("user-654321")


@unit_settings
@given(event_types, st.one_of(emails, phones, card_numbers))
def test_personal_data_passed_as_the_customer_id_is_hashed(event_type, secret):
    output = emitted_text(event_type, {"customer_id": secret})

    assert secret not in output
    assert hash_customer_id(secret) in output


@unit_settings
@given(emails)
def test_personal_data_in_a_dictionary_key_is_scrubbed(email):
    output = emitted_text("validation_error", {"field": "body", "error_message": {email: "bad"}})

    assert email not in output


def test_an_email_in_the_message_of_an_operational_line_is_masked():
    with captured_stdout() as lines:
        log_operational(
            "WARNING", "Could not reach priya.sharma@example.com", email="priya.sharma@example.com"
        )

    assert "priya.sharma@example.com" not in lines.text
    assert "pri***@example.com" in lines.text


def test_customer_id_is_a_stable_keyed_prefixed_hash(monkeypatch):
    first = hash_customer_id("user-123456")

    assert first == hash_customer_id("user-123456")
    assert first.startswith("cust_") and len(first) == len("cust_") + 16
    assert all(char in string.hexdigits for char in first[5:])
    monkeypatch.setenv("LOG_HASH_KEY", "another-key")
    assert hash_customer_id("user-123456") != first


def test_customer_id_is_hashed_at_any_depth_and_spelling():
    redacted = redact_record(
        {"customer_id": "u1", "context": {"customerId": "u1", "list": [{"CustomerID": "u1"}]}}
    )

    assert redacted["customer_id"] == redacted["context"]["customerId"] == hash_customer_id("u1")
    assert redacted["context"]["list"][0]["CustomerID"] == hash_customer_id("u1")


@pytest.mark.parametrize(
    ("email", "masked"),
    [("username@example.com", "use***@example.com"), ("ab@x.in", "ab***@x.in"), ("not-an-email", "***")],
)
def test_mask_email(email, masked):
    assert mask_email(email) == masked


@pytest.mark.parametrize(
    "kept",
    [
        "123e4567-e89b-12d3-a456-426614174000",  # a UUID (a request id, a cart id) is not personal data
        "203.0.113.7",
        "2025-11-21T10:30:00.000Z",
        "STORE-001",
        "DynamoDB TransactWriteItems failed: 3 of 4 store carts migrated",
        "4111 1111 1111 1112",  # not Luhn-valid, 16 digits: neither a card nor a phone
    ],
)
def test_identifiers_that_are_not_personal_data_are_left_alone(kept):
    assert scrub_string(kept) == kept


def test_numbers_long_enough_to_be_phones_are_scrubbed_even_as_integers():
    redacted = redact_record({"note": 9876543210, "count": 42, "total_value": 1250.5})

    assert redacted == {"note": "[REDACTED_PHONE]", "count": 42, "total_value": 1250.5}


@pytest.mark.parametrize(
    "hostile", ["a" * 200_000 + "@", "@" * 200_000, "1-" * 100_000, ("x" * 50 + " ") * 4_000]
)
def test_huge_hostile_strings_are_scrubbed_and_cut(hostile):
    """What comes back; how long it takes is `make bench`'s (its redaction section)."""
    scrubbed = scrub_string(hostile)

    assert scrubbed.endswith("[TRUNCATED]") and len(scrubbed) <= 4096 + len("[TRUNCATED]")


def test_an_email_straddling_the_cut_is_masked_before_cutting():
    text = "x" * 4090 + " priya.sharma@example.com"

    assert "priya" not in scrub_string(text)


def test_lone_surrogates_and_cycles_cannot_break_the_line():
    cyclic: dict = {}
    cyclic["self"] = cyclic

    with captured_stdout() as lines:
        CartMigrationMetrics.log_validation_error("POST /x", "body", "bad \ud800 text", context=cyclic)

    (record,) = lines.records
    assert "\ud800" not in record["error_message"]
    assert "[TRUNCATED]" in lines.text


def test_guest_session_ids_are_hashed_under_their_key_and_in_free_text():
    """The session id proves ownership of a guest cart: never written as it is."""
    from cart_migration.redaction import hash_guest_session_id

    session = "guest-123e4567-e89b-12d3-a456-426614174000"
    redacted = redact_record(
        {
            "guest_session_id": session,
            "guestSessionId": session,
            "note": f"DELETE /cleanup-guest/{session} failed",
        }
    )

    pseudonym = hash_guest_session_id(session)
    assert pseudonym.startswith("gsess_") and len(pseudonym) == len("gsess_") + 16
    assert redacted == {
        "guest_session_id": pseudonym,
        "guestSessionId": pseudonym,
        "note": f"DELETE /cleanup-guest/{pseudonym} failed",
    }
    assert pseudonym != hash_customer_id(session)
