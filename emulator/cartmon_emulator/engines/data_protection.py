"""CloudWatch Logs data protection policies: the document's validation and the masking it describes.

Pure: no LocalStack, no moto; the adapter is ``cartmon_emulator.logs``.

The policy document (PutDataProtectionPolicy, "policyDocument";
https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutDataProtectionPolicy.html and
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/mask-sensitive-log-data-start.html):

* at most 30,720 characters of JSON; optional ``Name``, ``Description`` and ``Version``
  (``2021-06-01``, the only version), optional ``Configuration.CustomDataIdentifier``;
* exactly two ``Statement`` blocks: the first with a ``DataIdentifier`` array and
  ``Operation.Audit`` (which holds a ``FindingsDestination`` object, possibly empty, naming
  ``CloudWatchLogs.LogGroup``, ``Firehose.DeliveryStream`` and/or ``S3.Bucket``), the second with
  the same ``DataIdentifier`` array and ``Operation.Deidentify.MaskConfig``, an empty object;
* a data identifier is a managed one's ARN ``arn:<partition>:dataprotection::aws:data-identifier/<Name>``
  or the ``Name`` of a custom identifier of the same policy.

Masking ("Help protect sensitive log data with masking",
https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/mask-sensitive-log-data.html): what an
identifier finds is replaced by asterisks (here one per character); events are judged when they are
ingested, with the policy in force then.

Detection: the managed identifiers are machine-learning and pattern matchers on AWS; here each one
the emulator detects is a pattern with AWS's checks where they are plain (Luhn for card numbers,
mod-97 for IBANs, octet ranges for IPv4). Identifiers AWS detects with models (``Name``,
``Address``, ...) are accepted in a policy but find nothing here (``DETECTED_HERE`` lists the
others); emulator/README.md lists that difference.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

POLICY_VERSION = "2021-06-01"
MAX_POLICY_CHARACTERS = 30_720
MAX_CUSTOM_IDENTIFIERS = 10
MAX_CUSTOM_REGEX_LENGTH = 200
MASK_CHARACTER = "*"
MANAGED_ARN = re.compile(r"arn:aws[a-z-]*:dataprotection::aws:data-identifier/([A-Za-z]+(?:-[A-Z]{2})?)")
CUSTOM_NAME = re.compile(r"[A-Za-z0-9_-]{1,128}")


class InvalidPolicy(ValueError):
    """The document breaks a rule of the policy syntax; the message says which."""


# --- detectors ---------------------------------------------------------------------------------


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _iban_valid(text: str) -> bool:
    compact = re.sub(r"\s", "", text).upper()
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


@dataclass(frozen=True)
class Detector:
    pattern: re.Pattern[str]
    valid: Callable[[str], bool] = lambda _text: True
    group: int = 0  # the group that is sensitive (keyword-anchored identifiers mask only the value)

    def spans(self, message: str) -> list[tuple[int, int]]:
        found = []
        for match in self.pattern.finditer(message):
            if self.valid(match.group(self.group)):
                found.append(match.span(self.group))
        return found


def _phone(country_code: str, national_digits: tuple[int, int]) -> Detector:
    low, high = national_digits
    pattern = re.compile(
        rf"(?<![\w+])(?:\+{country_code}[\s.-]?(?:\(0\))?|\b0)\(?\d[\d\s().-]{{{low - 2},{high + 6}}}\d(?![\w])"
    )

    def valid(text: str) -> bool:
        digits = _digits(text)
        national = digits[len(country_code) :] if text.startswith("+") else digits.lstrip("0")
        return low <= len(national) <= high

    return Detector(pattern, valid)


_US_PHONE = Detector(
    re.compile(r"(?<![\w+])(?:\+1[\s.-]?)?\(?[2-9]\d{2}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\w)"),
)

DETECTORS: dict[str, Detector] = {
    "EmailAddress": Detector(
        re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
    ),
    "CreditCardNumber": Detector(
        re.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])"), lambda t: _luhn_valid(_digits(t))
    ),
    "CreditCardSecurityCode": Detector(
        re.compile(
            r"(?i)\b(?:cvv2?|cvc2?|card security code|security code)[\"']?\s*[:=]?\s*[\"']?(\d{3,4})\b"
        ),
        group=1,
    ),
    "CreditCardExpiration": Detector(
        re.compile(
            r"(?i)\b(?:exp|expiry|expiration|expires|valid thru)[\"']?\s*[:=]?\s*[\"']?((?:0[1-9]|1[0-2])/(?:\d{2}|\d{4}))\b"
        ),
        group=1,
    ),
    "IpAddress": Detector(
        re.compile(
            r"(?<!\d)(?<!\d\.)(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?!\.?\d)"
        )
    ),
    "AwsSecretKey": Detector(
        re.compile(
            r"(?i)aws_?secret_?(?:access_?)?key[\"']?\s*[:=]\s*[\"']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])"
        ),
        group=1,
    ),
    "PhoneNumber-US": _US_PHONE,
    "PhoneNumber-GB": _phone("44", (9, 10)),
    "PhoneNumber-DE": _phone("49", (6, 11)),
    "PhoneNumber-FR": _phone("33", (9, 9)),
    "PhoneNumber-ES": Detector(
        re.compile(r"(?<![\w+])(?:\+34[\s.-]?)?[6-9]\d{2}[\s.-]?\d{3}[\s.-]?\d{3}(?!\w)")
    ),
    "PhoneNumber-IT": _phone("39", (6, 11)),
    "PhoneNumber-BR": _phone("55", (10, 11)),
}
for _country, _length in {"DE": 22, "ES": 24, "FR": 27, "GB": 22, "IT": 27}.items():
    DETECTORS[f"BankAccountNumber-{_country}"] = Detector(
        re.compile(rf"\b{_country}\d{{2}}(?:\s?[A-Z0-9]){{{_length - 4}}}\b"), _iban_valid
    )
DETECTED_HERE = frozenset(DETECTORS)


# --- the policy --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Policy:
    name: str | None
    identifiers: tuple[str, ...]  # as written in the document (ARNs and custom names)
    findings_destination: dict = field(default_factory=dict)
    custom: dict[str, re.Pattern[str]] = field(default_factory=dict)

    def detectors(self) -> list[tuple[str, Detector]]:
        out = []
        for identifier in self.identifiers:
            if identifier in self.custom:
                out.append((identifier, Detector(self.custom[identifier])))
                continue
            managed = MANAGED_ARN.fullmatch(identifier)
            if managed and managed.group(1) in DETECTORS:
                out.append((managed.group(1), DETECTORS[managed.group(1)]))
        return out


def _statement_identifiers(statement: dict, number: int) -> list[str]:
    identifiers = statement.get("DataIdentifier")
    if not isinstance(identifiers, list) or not identifiers:
        raise InvalidPolicy(f"Statement {number} must have a non-empty DataIdentifier array.")
    if not all(isinstance(i, str) for i in identifiers):
        raise InvalidPolicy(f"Statement {number}: every DataIdentifier must be a string.")
    return identifiers


def parse_policy(document: str) -> Policy:
    """The policy a document describes, or InvalidPolicy naming the first broken rule."""
    if not isinstance(document, str) or not document:
        raise InvalidPolicy("The policy document must not be empty.")
    if len(document) > MAX_POLICY_CHARACTERS:
        raise InvalidPolicy(f"The policy document must be at most {MAX_POLICY_CHARACTERS} characters.")
    try:
        body = json.loads(document)
    except ValueError:
        raise InvalidPolicy("The policy document is not valid JSON.") from None
    if not isinstance(body, dict):
        raise InvalidPolicy("The policy document must be a JSON object.")
    unknown = set(body) - {"Name", "Description", "Version", "Statement", "Configuration"}
    if unknown:
        raise InvalidPolicy(f"Unknown field(s) in the policy document: {', '.join(sorted(unknown))}.")
    if "Version" in body and body["Version"] != POLICY_VERSION:
        raise InvalidPolicy(f"Version must be {POLICY_VERSION}.")
    custom = _custom_identifiers(body.get("Configuration"))
    statements = body.get("Statement")
    if (
        not isinstance(statements, list)
        or len(statements) != 2
        or not all(isinstance(s, dict) for s in statements)
    ):
        raise InvalidPolicy(
            "Statement must hold exactly two blocks: an Audit operation, then a Deidentify operation."
        )
    audit, deidentify = statements
    audit_identifiers = _statement_identifiers(audit, 1)
    deidentify_identifiers = _statement_identifiers(deidentify, 2)
    if audit_identifiers != deidentify_identifiers:
        raise InvalidPolicy("The DataIdentifier arrays of the two statements must match exactly.")
    audit_operation = (
        (audit.get("Operation") or {}).get("Audit") if isinstance(audit.get("Operation"), dict) else None
    )
    if not isinstance(audit_operation, dict) or set(audit.get("Operation")) != {"Audit"}:
        raise InvalidPolicy("The first statement's Operation must be an Audit operation.")
    destination = audit_operation.get("FindingsDestination")
    if not isinstance(destination, dict):
        raise InvalidPolicy("The Audit operation must contain a FindingsDestination object.")
    _check_destination(destination)
    operation = deidentify.get("Operation")
    if (
        not isinstance(operation, dict)
        or set(operation) != {"Deidentify"}
        or not isinstance(operation["Deidentify"], dict)
    ):
        raise InvalidPolicy("The second statement's Operation must be a Deidentify operation.")
    if operation["Deidentify"] != {"MaskConfig": {}}:
        raise InvalidPolicy(
            'The Deidentify operation must contain exactly "MaskConfig": {}, an empty object.'
        )
    for identifier in audit_identifiers:
        if identifier not in custom and not MANAGED_ARN.fullmatch(identifier):
            raise InvalidPolicy(
                f"Invalid data identifier {identifier!r}: use a managed data identifier's ARN "
                "(arn:aws:dataprotection::aws:data-identifier/<Name>) or a custom identifier's Name."
            )
    name = body.get("Name")
    if name is not None and not isinstance(name, str):
        raise InvalidPolicy("Name must be a string.")
    return Policy(
        name=name, identifiers=tuple(audit_identifiers), findings_destination=destination, custom=custom
    )


def _custom_identifiers(configuration) -> dict[str, re.Pattern[str]]:
    if configuration is None:
        return {}
    if not isinstance(configuration, dict) or set(configuration) - {"CustomDataIdentifier"}:
        raise InvalidPolicy("Configuration may hold only CustomDataIdentifier.")
    entries = configuration.get("CustomDataIdentifier") or []
    if not isinstance(entries, list) or len(entries) > MAX_CUSTOM_IDENTIFIERS:
        raise InvalidPolicy(
            f"CustomDataIdentifier must be a list of at most {MAX_CUSTOM_IDENTIFIERS} entries."
        )
    out: dict[str, re.Pattern[str]] = {}
    for entry in entries:
        name, regex = (entry or {}).get("Name"), (entry or {}).get("Regex")
        if not isinstance(name, str) or not CUSTOM_NAME.fullmatch(name):
            raise InvalidPolicy(
                "Each custom data identifier needs a Name of 1-128 letters, digits, '_' or '-'."
            )
        if not isinstance(regex, str) or not 1 <= len(regex) <= MAX_CUSTOM_REGEX_LENGTH:
            raise InvalidPolicy(f"The Regex of {name} must be 1-{MAX_CUSTOM_REGEX_LENGTH} characters.")
        try:
            out[name] = re.compile(regex)
        except re.error as error:
            raise InvalidPolicy(f"The Regex of {name} is not a valid regular expression: {error}.") from None
    return out


def _check_destination(destination: dict) -> None:
    shapes = {"CloudWatchLogs": "LogGroup", "Firehose": "DeliveryStream", "S3": "Bucket"}
    for key, value in destination.items():
        if key not in shapes:
            raise InvalidPolicy(f"Unknown findings destination {key}: use CloudWatchLogs, Firehose or S3.")
        if (
            not isinstance(value, dict)
            or not isinstance(value.get(shapes[key]), str)
            or not value[shapes[key]]
        ):
            raise InvalidPolicy(f"FindingsDestination.{key} must name its {shapes[key]}.")


def findings_targets(policy: Policy) -> dict[str, str]:
    """The destinations the Audit operation names, by kind: CloudWatchLogs, Firehose, S3."""
    shapes = {"CloudWatchLogs": "LogGroup", "Firehose": "DeliveryStream", "S3": "Bucket"}
    return {kind: value[shapes[kind]] for kind, value in policy.findings_destination.items()}


# --- masking -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    identifier: str
    start: int
    end: int


def find(policy: Policy, message: str) -> list[Finding]:
    """Every span of ``message`` an identifier of the policy finds, in order, overlaps merged away."""
    found = [
        Finding(name, start, end)
        for name, detector in policy.detectors()
        for start, end in detector.spans(message)
    ]
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Finding] = []
    for finding in found:
        if kept and finding.start < kept[-1].end:
            if finding.end > kept[-1].end:
                kept[-1] = Finding(kept[-1].identifier, kept[-1].start, finding.end)
            continue
        kept.append(finding)
    return kept


def mask(message: str, findings: list[Finding]) -> str:
    out, position = [], 0
    for finding in findings:
        out.append(message[position : finding.start])
        out.append(MASK_CHARACTER * (finding.end - finding.start))
        position = finding.end
    out.append(message[position:])
    return "".join(out)


def masked(policy: Policy, message: str) -> str | None:
    """The message as a reader without logs:Unmask sees it, or None when nothing is sensitive."""
    findings = find(policy, message)
    return mask(message, findings) if findings else None
