"""The data protection engine (policy syntax and masking), without the emulator.

https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutDataProtectionPolicy.html
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/mask-sensitive-log-data-start.html
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/mask-sensitive-log-data-types.html
"""

from __future__ import annotations

import json

import pytest

from cartmon_emulator.engines import data_protection as dp

ARN = "arn:aws:dataprotection::aws:data-identifier/"


def document(identifiers, *, audit=None, deidentify=None, **top) -> str:
    names = [i if i.startswith("arn:") or i.startswith("Custom") else ARN + i for i in identifiers]
    body = {
        "Name": "cart-pii",
        "Version": "2021-06-01",
        "Statement": [
            {
                "Sid": "audit",
                "DataIdentifier": names,
                "Operation": audit or {"Audit": {"FindingsDestination": {}}},
            },
            {
                "Sid": "redact",
                "DataIdentifier": names,
                "Operation": deidentify or {"Deidentify": {"MaskConfig": {}}},
            },
        ],
        **top,
    }
    return json.dumps(body)


def masked(identifiers, message: str, **top) -> str | None:
    return dp.masked(dp.parse_policy(document(identifiers, **top)), message)


@pytest.mark.parametrize(
    ("identifier", "message", "expected"),
    [
        ("EmailAddress", "mail jane.doe@example.com now", "mail " + "*" * 20 + " now"),
        ("CreditCardNumber", "card 4111 1111 1111 1111 ok", "card " + "*" * 19 + " ok"),
        ("CreditCardNumber", "card 4111 1111 1111 1112 no", None),  # fails the Luhn check
        ("PhoneNumber-US", "call (415) 555-2671", "call " + "*" * 14),
        ("PhoneNumber-GB", "call +44 20 7946 0958", "call " + "*" * 16),
        ("IpAddress", "from 10.0.0.12.", "from *********."),
        ("IpAddress", "version 300.1.2.3", None),  # 300 is no octet
        ("BankAccountNumber-GB", "iban GB82 WEST 1234 5698 7654 32", "iban " + "*" * 27),
        ("CreditCardSecurityCode", '{"cvv": "123"}', '{"cvv": "***"}'),
        ("EmailAddress", '{"duration_ms": 12, "store_id": "s-42"}', None),
    ],
)
def test_managed_identifiers_mask_what_they_find_with_asterisks(identifier, message, expected):
    assert masked([identifier], message) == expected


def test_custom_identifier_and_overlapping_findings():
    configuration = {"CustomDataIdentifier": [{"Name": "CustomOrderId", "Regex": "ord-[0-9]{6}"}]}
    assert masked(["CustomOrderId", "EmailAddress"], "ord-123456 by a@b.io", Configuration=configuration) == (
        "********** by ******"
    )


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda b: b.update(Version="2012-10-17"), "Version"),
        (lambda b: b["Statement"].pop(), "exactly two"),
        (lambda b: b["Statement"][1].update(DataIdentifier=[ARN + "IpAddress"]), "match exactly"),
        (lambda b: b["Statement"][0].update(Operation={"Deidentify": {"MaskConfig": {}}}), "Audit"),
        (lambda b: b["Statement"][0]["Operation"]["Audit"].pop("FindingsDestination"), "FindingsDestination"),
        (
            lambda b: b["Statement"][1].update(Operation={"Deidentify": {"MaskConfig": {"x": 1}}}),
            "MaskConfig",
        ),
        (lambda b: b["Statement"][0].update(DataIdentifier=[]), "non-empty"),
        (lambda b: [s.update(DataIdentifier=["Email"]) for s in b["Statement"]], "Invalid data identifier"),
        (
            lambda b: b["Statement"][0]["Operation"]["Audit"].update(FindingsDestination={"S3": {}}),
            "S3 must name its Bucket",
        ),
        (lambda b: b.update(Extra=1), "Unknown field"),
    ],
)
def test_documents_that_break_the_syntax_are_refused(mutate, reason):
    body = json.loads(document(["EmailAddress"]))
    mutate(body)
    with pytest.raises(dp.InvalidPolicy, match=reason):
        dp.parse_policy(json.dumps(body))


def test_unknown_but_well_formed_managed_identifiers_are_accepted():
    """AWS's catalogue grows; a well-formed managed identifier the emulator does not detect is accepted
    and finds nothing (emulator/README.md)."""
    policy = dp.parse_policy(document(["Name", "Address", "EmailAddress"]))
    assert [name for name, _ in policy.detectors()] == ["EmailAddress"]
    assert dp.parse_policy(document(["EmailAddress"])).name == "cart-pii"


def test_findings_destinations():
    destination = {"CloudWatchLogs": {"LogGroup": "/audit/findings"}, "S3": {"Bucket": "findings"}}
    policy = dp.parse_policy(
        document(["EmailAddress"], audit={"Audit": {"FindingsDestination": destination}})
    )
    assert dp.findings_targets(policy) == {"CloudWatchLogs": "/audit/findings", "S3": "findings"}
