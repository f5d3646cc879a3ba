"""Bearer JWT verification with PyJWT (Powertools has no JWT utility). Failures carry a reason
code, never token contents."""

from __future__ import annotations

import re
from dataclasses import dataclass

import jwt

from .config import Settings
from .validation import GUEST_PREFIX

MAX_TOKEN_LENGTH = 8192
CUSTOMER_TOKEN_TYPE = "customer"
# Printable ASCII without spaces: the id becomes part of DynamoDB keys and rate-limit keys.
_CUSTOMER_ID = re.compile(r"[!-~]{1,128}")


class AuthenticationFailed(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Identity:
    customer_id: str


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


def authenticate(authorization_header: str | None, settings: Settings) -> Identity:
    token = bearer_token(authorization_header)
    try:
        claims = jwt.decode(
            token,
            key=settings.jwt_verification_key,
            # Exactly the configured algorithm: rules out `none` and HS/RS key confusion.
            algorithms=[settings.jwt_algorithm],
            options={"require": ["exp", "customer_id"]},
        )
    except jwt.ExpiredSignatureError:
        raise AuthenticationFailed("token_expired") from None
    except jwt.InvalidSignatureError:
        raise AuthenticationFailed("invalid_signature") from None
    except jwt.InvalidAlgorithmError:
        raise AuthenticationFailed("algorithm_not_allowed") from None
    except jwt.MissingRequiredClaimError:
        raise AuthenticationFailed("missing_claim") from None
    except jwt.DecodeError:
        raise AuthenticationFailed("malformed_token") from None
    except jwt.InvalidTokenError:
        raise AuthenticationFailed("invalid_token") from None

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
