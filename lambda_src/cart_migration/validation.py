"""Request parsing. Anything malformed becomes InvalidRequest (a 4xx), never an exception that
escapes as a 5xx. Messages name the field and the rule, never echo the input back.

Hand-written: Powertools' validation needs pydantic or fastjsonschema in the zip for three fields.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .merge import MergeStrategy

MAX_BODY_BYTES = 16 * 1024
GUEST_PREFIX = "guest-"
_GUEST_SESSION_ID = re.compile(r"guest-[A-Za-z0-9_-]{1,128}")
_STORE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
MIGRATE_FIELDS = frozenset({"guest_session_id", "store_id", "merge_strategy"})
STRATEGY_VALUES = tuple(strategy.value for strategy in MergeStrategy)
STRATEGY_NAMES = ", ".join(STRATEGY_VALUES)


class InvalidRequest(Exception):
    def __init__(self, field: str, message: str, status_code: int = 400):
        super().__init__(message)
        self.field = field
        self.message = message
        self.status_code = status_code


@dataclass(frozen=True)
class MigrateBody:
    guest_session_id: str
    store_id: str | None
    strategy: MergeStrategy


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def json_object_body(raw_event: Mapping[str, Any]) -> dict[str, Any]:
    body = raw_event.get("body")
    if body is None or body == "":
        raise InvalidRequest("body", "a JSON request body is required")
    if not isinstance(body, str):
        raise InvalidRequest("body", "the request body must be text")
    # Cheap early rejection before decoding: base64 is 4/3 of the payload at most.
    if len(body) > MAX_BODY_BYTES * 2:
        raise InvalidRequest("body", f"the request body exceeds {MAX_BODY_BYTES} bytes", status_code=413)
    try:
        payload = (
            base64.b64decode(body, validate=True)
            if raw_event.get("isBase64Encoded")
            else body.encode("utf-8")
        )
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise InvalidRequest("body", "the request body is not valid base64 or UTF-8") from None
    if len(payload) > MAX_BODY_BYTES:
        raise InvalidRequest("body", f"the request body exceeds {MAX_BODY_BYTES} bytes", status_code=413)
    try:
        document = json.loads(payload.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidRequest("body", "the request body is not valid JSON") from None
    if not isinstance(document, dict):
        raise InvalidRequest("body", "the request body must be a JSON object")
    return document


def guest_session_id(value: Any, field: str = "guest_session_id") -> str:
    if not isinstance(value, str):
        raise InvalidRequest(field, f"{field} must be a string")
    if not value.startswith(GUEST_PREFIX):
        raise InvalidRequest(field, f"{field} must start with '{GUEST_PREFIX}'")
    if not _GUEST_SESSION_ID.fullmatch(value):
        raise InvalidRequest(
            field, f"{field} must be '{GUEST_PREFIX}' then 1-128 letters, digits, '-' or '_'"
        )
    return value


def migrate_body(document: Mapping[str, Any]) -> MigrateBody:
    unexpected = set(document) - MIGRATE_FIELDS
    if unexpected:
        raise InvalidRequest("body", f"unexpected fields; allowed: {', '.join(sorted(MIGRATE_FIELDS))}")
    if "guest_session_id" not in document:
        raise InvalidRequest("guest_session_id", "guest_session_id is required")
    session = guest_session_id(document["guest_session_id"])

    store_id = document.get("store_id")
    if store_id is not None and not (isinstance(store_id, str) and _STORE_ID.fullmatch(store_id)):
        raise InvalidRequest("store_id", "store_id must be 1-64 letters, digits, '-', '_', '.' or ':'")

    strategy_name = document.get("merge_strategy")
    if strategy_name is None:
        strategy = MergeStrategy.MERGE
    elif isinstance(strategy_name, str) and strategy_name in STRATEGY_VALUES:
        strategy = MergeStrategy(strategy_name)
    else:
        raise InvalidRequest("merge_strategy", f"merge_strategy must be one of: {STRATEGY_NAMES}")
    return MigrateBody(guest_session_id=session, store_id=store_id, strategy=strategy)
