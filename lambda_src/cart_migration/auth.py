"""Bearer JWT verification. Failures carry a reason code, never token contents.

The token's algorithm must be exactly the configured one (JWT_ALGORITHM), which rules out
``alg: none`` and HS/RS key confusion; the signature is checked before the claims are read.

HS256 is verified here with the standard library (base64, hmac, json); RS256 through PyJWT's JWS
layer, imported on the first RS256 token only. PyJWT imports ``cryptography`` whenever it is
installed, which costs tens of milliseconds at every cold start, and an HS256 deployment has no
use for it. The claim checks are one implementation for both algorithms: ``exp`` and
``customer_id`` required; ``exp``, ``nbf`` and ``iat`` with JWT_LEEWAY_SECONDS of clock skew;
``iss`` and ``aud`` when configured (JWT_ISSUER, JWT_AUDIENCE), as PyJWT would check them.
Powertools has no JWT utility.

Strictness matches PyJWT 2.15 where the standard library would be lenient: each segment must be
canonical base64url (a signature has exactly one spelling; the unused low bits of the last
character must be zero), a ``b64`` header other than ``true`` (RFC 7797, unencoded payloads) is
refused, and JSON's non-standard ``NaN``/``Infinity`` (and numbers such as ``1e400`` that overflow
to infinity) never reach a time claim: a token that never expires is not a token.

RS256 keys come from JWT_PUBLIC_KEY, or from a JWKS URL (JWT_JWKS_URL, jwks.py) by the token's
``kid`` header.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import math
import re
import time
from typing import Any, cast

from .config import Settings
from .jwks import JwksKeys
from .validation import GUEST_PREFIX

MAX_TOKEN_LENGTH = 8192
CUSTOMER_TOKEN_TYPE = "customer"
REQUIRED_CLAIMS = ("exp", "customer_id")
# Printable ASCII without spaces: the id becomes part of DynamoDB keys and rate-limit keys.
_CUSTOMER_ID = re.compile(r"[!-~]{1,128}")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


class AuthenticationFailed(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Identity:
    __slots__ = ("customer_id",)

    def __init__(self, customer_id: str) -> None:
        self.customer_id = customer_id


def bearer_token(authorization_header: str | None) -> str:
    if not authorization_header:
        raise AuthenticationFailed("missing_token")
    scheme, _, token = authorization_header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        raise AuthenticationFailed("malformed_authorization_header")
    if len(token) > MAX_TOKEN_LENGTH:
        raise AuthenticationFailed("malformed_token")
    return token


def _segment_bytes(segment: str) -> bytes:
    """The bytes of one canonical, unpadded base64url segment (RFC 7515, 2: no padding)."""
    if not _BASE64URL.fullmatch(segment) or len(segment) % 4 == 1:
        raise AuthenticationFailed("malformed_token")
    try:
        decoded = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise AuthenticationFailed("malformed_token") from None
    # Non-zero unused bits in the last character decode to the same bytes: 4 spellings of one
    # signature. PyJWT 2.15 refuses them; so does this verifier.
    if base64.urlsafe_b64encode(decoded).rstrip(b"=").decode("ascii") != segment:
        raise AuthenticationFailed("malformed_token")
    return decoded


def _not_json(constant: str) -> Any:
    # json.loads accepts NaN, Infinity and -Infinity; RFC 8259 JSON does not.
    raise ValueError(f"{constant} is not JSON")


def _json_object(segment: str) -> dict[str, Any]:
    try:
        document = json.loads(_segment_bytes(segment), parse_constant=_not_json)
    except (ValueError, RecursionError):
        raise AuthenticationFailed("malformed_token") from None
    if not isinstance(document, dict):
        raise AuthenticationFailed("malformed_token")
    return document


def _signature_is_valid(
    settings: Settings, header: dict[str, Any], signing_input: bytes, signature: bytes
) -> bool:
    if settings.jwt_algorithm == "HS256":
        key = cast(bytes, settings.jwt_verification_key)  # HS256 settings hold the secret's bytes (config.py)
        expected = hmac.new(key, signing_input, hashlib.sha256).digest()
        return hmac.compare_digest(expected, signature)
    public_key = settings.jwt_verification_key
    if isinstance(public_key, JwksKeys):
        public_key = public_key.key_for(header.get("kid"))
    return _rs256_signature_is_valid(public_key, signing_input, signature)


def _rs256_signature_is_valid(public_key: Any, signing_input: bytes, signature: bytes) -> bool:
    from jwt.algorithms import RSAAlgorithm  # the first RS256 token pays for PyJWT and cryptography

    return RSAAlgorithm(RSAAlgorithm.SHA256).verify(signing_input, public_key, signature)


def verified_claims(token: str, settings: Settings) -> dict[str, Any]:
    """The token's claims once its header names the configured algorithm and its signature holds."""
    parts = token.split(".")
    if len(parts) != 3:
        raise AuthenticationFailed("malformed_token")
    header_segment, payload_segment, signature_segment = parts
    header = _json_object(header_segment)
    if header.get("alg") != settings.jwt_algorithm:
        raise AuthenticationFailed("algorithm_not_allowed")
    if "crit" in header:  # RFC 7515, 4.1.11: extensions this verifier does not know must be refused
        raise AuthenticationFailed("invalid_token")
    if header.get("b64", True) is not True:  # RFC 7797 unencoded payloads are not supported
        raise AuthenticationFailed("invalid_token")
    if not _BASE64URL.fullmatch(payload_segment):
        raise AuthenticationFailed("malformed_token")
    signature = _segment_bytes(signature_segment)
    signing_input = f"{header_segment}.{payload_segment}".encode("ascii")
    if not _signature_is_valid(settings, header, signing_input, signature):
        raise AuthenticationFailed("invalid_signature")
    return _json_object(payload_segment)


def _numeric_claim(claims: dict[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AuthenticationFailed("malformed_token")
    if isinstance(value, float) and not math.isfinite(value):  # 1e400 parses as infinity
        raise AuthenticationFailed("malformed_token")
    return value


def check_claims(claims: dict[str, Any], settings: Settings, now: float) -> None:
    """Registered claims, as PyJWT checks them, with the configured clock-skew leeway."""
    if any(claims.get(name) is None for name in REQUIRED_CLAIMS):
        raise AuthenticationFailed("missing_claim")
    leeway = settings.jwt_leeway_seconds
    issued_at = _numeric_claim(claims, "iat")
    not_before = _numeric_claim(claims, "nbf")
    expires = _numeric_claim(claims, "exp")
    if issued_at is not None and issued_at > now + leeway:
        raise AuthenticationFailed("token_not_yet_valid")
    if not_before is not None and not_before > now + leeway:
        raise AuthenticationFailed("token_not_yet_valid")
    if expires is not None and expires <= now - leeway:
        raise AuthenticationFailed("token_expired")
    if settings.jwt_issuer is not None:
        if "iss" not in claims:
            raise AuthenticationFailed("missing_claim")
        if claims["iss"] != settings.jwt_issuer:
            raise AuthenticationFailed("invalid_issuer")
    _check_audience(claims.get("aud"), settings.jwt_audience)


def _check_audience(audience_claim: Any, expected: str | None) -> None:
    if expected is None:
        # A token meant for named audiences is not meant for a function that names none (RFC 7519, 4.1.3).
        if audience_claim:
            raise AuthenticationFailed("invalid_audience")
        return
    if audience_claim is None:
        raise AuthenticationFailed("missing_claim")
    audiences = [audience_claim] if isinstance(audience_claim, str) else audience_claim
    if not isinstance(audiences, list) or not all(isinstance(item, str) for item in audiences):
        raise AuthenticationFailed("invalid_audience")
    if expected not in audiences:
        raise AuthenticationFailed("invalid_audience")


def authenticate(authorization_header: str | None, settings: Settings) -> Identity:
    token = bearer_token(authorization_header)
    claims = verified_claims(token, settings)
    check_claims(claims, settings, now=time.time())

    token_type = claims.get("type")
    if token_type is not None and token_type != CUSTOMER_TOKEN_TYPE:
        raise AuthenticationFailed("wrong_token_type")
    customer_id = claims["customer_id"]
    if not isinstance(customer_id, str) or not _CUSTOMER_ID.fullmatch(customer_id):
        raise AuthenticationFailed("invalid_customer_id")
    if customer_id.lower().startswith(GUEST_PREFIX):
        # A customer id shaped like a guest session would read and write that guest's carts.
        raise AuthenticationFailed("invalid_customer_id")
    return Identity(customer_id=customer_id)
