"""Settings read from the environment on every invocation (cheap, and tests can change them)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

from .secrets import SecretParameterError, load_secret_parameters

SUPPORTED_JWT_ALGORITHMS = ("HS256", "RS256")


class ConfigurationError(Exception):
    """The function is deployed with a missing or invalid setting."""


@dataclass(frozen=True)
class Settings:
    carts_table: str
    rate_limit_table: str
    jwt_algorithm: str
    jwt_verification_key: object
    rate_limit_max_calls: int
    rate_limit_window_seconds: int
    customer_cart_ttl_seconds: int
    audit_log_group: str | None

    @classmethod
    def from_env(cls) -> Settings:
        try:
            load_secret_parameters()  # JWT_SECRET / LOG_HASH_KEY from SSM when so deployed (secrets.py)
        except SecretParameterError as error:
            raise ConfigurationError(str(error)) from None
        algorithm = os.environ.get("JWT_ALGORITHM", "HS256")
        if algorithm not in SUPPORTED_JWT_ALGORITHMS:
            raise ConfigurationError(f"JWT_ALGORITHM must be one of {', '.join(SUPPORTED_JWT_ALGORITHMS)}")
        return cls(
            carts_table=_required("CARTS_TABLE"),
            rate_limit_table=_required("RATE_LIMIT_TABLE"),
            jwt_algorithm=algorithm,
            jwt_verification_key=_verification_key(algorithm),
            rate_limit_max_calls=_positive_int("RATE_LIMIT_MAX_CALLS", 5),
            rate_limit_window_seconds=_positive_int("RATE_LIMIT_WINDOW_SECONDS", 60),
            customer_cart_ttl_seconds=_positive_int("CUSTOMER_CART_TTL_DAYS", 30, allow_zero=True) * 86_400,
            audit_log_group=os.environ.get("AUDIT_LOG_GROUP") or None,
        )


def _required(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ConfigurationError(f"{name} is not set")
    return value


def _positive_int(name: str, default: int, allow_zero: bool = False) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer") from None
    if value < 0 or (value == 0 and not allow_zero):
        raise ConfigurationError(f"{name} must be {'>= 0' if allow_zero else '> 0'}")
    return value


def _verification_key(algorithm: str) -> object:
    if algorithm == "HS256":
        return _required("JWT_SECRET")
    return _rsa_public_key(_required("JWT_PUBLIC_KEY"))


@lru_cache(maxsize=4)
def _rsa_public_key(pem: str) -> object:
    # Imported here: the deployment zip carries `cryptography` only when RS256 is wanted.
    try:
        from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
        from cryptography.hazmat.primitives.serialization import load_pem_public_key
    except ImportError:
        raise ConfigurationError(
            "JWT_ALGORITHM=RS256 needs the cryptography package (pyjwt[crypto])"
        ) from None
    # Environment variables often carry PEM newlines as the two characters "\n".
    pem_bytes = pem.replace("\\n", "\n").encode("utf-8")
    try:
        key = load_pem_public_key(pem_bytes)
    except (ValueError, TypeError):
        raise ConfigurationError("JWT_PUBLIC_KEY is not a PEM public key") from None
    if not isinstance(key, RSAPublicKey):
        raise ConfigurationError("JWT_PUBLIC_KEY is not an RSA public key")
    return key
