"""Settings read from the environment on every invocation (cheap, and tests can change them).

Every setting is checked here, with a message that names the variable and says what to fix, so a
misconfigured function fails once with that message instead of failing each request its own way.
Inside Lambda the handler checks them at import (``check_startup``): the function refuses to
start rather than answer requests it cannot serve correctly.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib.util import find_spec
from urllib.parse import urlsplit

from .event_log import log_operational
from .log_levels import log_level_problem
from .secrets import SecretParameterError, SecretsUnavailable, load_secret_parameters

SUPPORTED_JWT_ALGORITHMS = ("HS256", "RS256")
# RFC 7518, section 3.2: an HMAC key shorter than the hash (256 bits) can be guessed offline.
MIN_HS256_SECRET_BYTES = 32
# Shortest LOG_HASH_KEY: a short key lets anyone who reads the logs recover ids by brute force.
MIN_LOG_HASH_KEY_LENGTH = 16
DEFAULT_JWT_LEEWAY_SECONDS = 30
# Beyond a few minutes the leeway is no longer clock skew: it extends the life of every token.
MAX_JWT_LEEWAY_SECONDS = 300
DEFAULT_RATE_LIMIT_MAX_CALLS = 5
DEFAULT_READ_RATE_LIMIT_MAX_CALLS = 60
# Markers of keys that are not an HMAC secret: PEM blocks (public, private, certificates), SSH keys.
_ASYMMETRIC_KEY_MARKERS = ("-----BEGIN ", "ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-")


class ConfigurationError(Exception):
    """The function is deployed with a missing or invalid setting."""


class Settings:
    __slots__ = (
        "carts_table",
        "rate_limit_table",
        "jwt_algorithm",
        "jwt_verification_key",
        "rate_limit_max_calls",
        "rate_limit_window_seconds",
        "customer_cart_ttl_seconds",
        "audit_log_group",
        "log_hash_key",
        "jwt_leeway_seconds",
        "jwt_issuer",
        "jwt_audience",
        "read_rate_limit_max_calls",
    )

    def __init__(
        self,
        *,
        carts_table: str,
        rate_limit_table: str,
        jwt_algorithm: str,
        jwt_verification_key: object,
        rate_limit_max_calls: int,
        rate_limit_window_seconds: int,
        customer_cart_ttl_seconds: int,
        audit_log_group: str | None,
        log_hash_key: str,
        jwt_leeway_seconds: int,
        jwt_issuer: str | None,
        jwt_audience: str | None,
        read_rate_limit_max_calls: int,
    ) -> None:
        self.carts_table = carts_table
        self.rate_limit_table = rate_limit_table
        self.jwt_algorithm = jwt_algorithm
        self.jwt_verification_key = jwt_verification_key
        self.rate_limit_max_calls = rate_limit_max_calls
        self.rate_limit_window_seconds = rate_limit_window_seconds
        self.customer_cart_ttl_seconds = customer_cart_ttl_seconds
        self.audit_log_group = audit_log_group
        self.log_hash_key = log_hash_key
        self.jwt_leeway_seconds = jwt_leeway_seconds
        self.jwt_issuer = jwt_issuer
        self.jwt_audience = jwt_audience
        self.read_rate_limit_max_calls = read_rate_limit_max_calls

    @classmethod
    def from_env(cls) -> Settings:
        try:
            load_secret_parameters()  # JWT_SECRET / LOG_HASH_KEY from SSM when so deployed (secrets.py)
        except SecretParameterError as error:
            raise ConfigurationError(str(error)) from None
        algorithm = os.environ.get("JWT_ALGORITHM", "HS256")
        if algorithm not in SUPPORTED_JWT_ALGORITHMS:
            raise ConfigurationError(f"JWT_ALGORITHM must be one of {', '.join(SUPPORTED_JWT_ALGORITHMS)}")
        leeway = _positive_int("JWT_LEEWAY_SECONDS", DEFAULT_JWT_LEEWAY_SECONDS, allow_zero=True)
        if leeway > MAX_JWT_LEEWAY_SECONDS:
            raise ConfigurationError(
                f"JWT_LEEWAY_SECONDS must be at most {MAX_JWT_LEEWAY_SECONDS}: it is meant for clock skew"
            )
        return cls(
            carts_table=_required("CARTS_TABLE"),
            rate_limit_table=_required("RATE_LIMIT_TABLE"),
            jwt_algorithm=algorithm,
            jwt_verification_key=_verification_key(algorithm),
            rate_limit_max_calls=_positive_int("RATE_LIMIT_MAX_CALLS", DEFAULT_RATE_LIMIT_MAX_CALLS),
            rate_limit_window_seconds=_positive_int("RATE_LIMIT_WINDOW_SECONDS", 60),
            customer_cart_ttl_seconds=_positive_int("CUSTOMER_CART_TTL_DAYS", 30, allow_zero=True) * 86_400,
            audit_log_group=os.environ.get("AUDIT_LOG_GROUP") or None,
            log_hash_key=_log_hash_key(),
            jwt_leeway_seconds=leeway,
            jwt_issuer=os.environ.get("JWT_ISSUER") or None,
            jwt_audience=os.environ.get("JWT_AUDIENCE") or None,
            read_rate_limit_max_calls=_positive_int(
                "READ_RATE_LIMIT_MAX_CALLS", DEFAULT_READ_RATE_LIMIT_MAX_CALLS
            ),
        )


def check_startup() -> Settings | None:
    """The settings, or the ConfigurationError that stops the function from starting.

    None when SSM could not be read at start: that is transient, so the function starts and its
    requests answer 503 until SSM answers (a failed start would fail them all the same, as 502s).
    """
    problem = log_level_problem()
    if problem is not None:
        raise ConfigurationError(problem)
    try:
        return Settings.from_env()
    except SecretsUnavailable as error:
        log_operational(
            "WARNING",
            "Secrets unavailable at start; requests answer 503 until SSM answers",
            error_message=str(error),
        )
        return None


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


def _log_hash_key() -> str:
    key = os.environ.get("LOG_HASH_KEY")
    if not key:
        raise ConfigurationError(
            "LOG_HASH_KEY is not set: it keys the hash that pseudonymises customer ids in the logs "
            "(set the module's log_hash_key); there is no built-in key, a public one could be reversed"
        )
    if len(key) < MIN_LOG_HASH_KEY_LENGTH:
        raise ConfigurationError(f"LOG_HASH_KEY must be at least {MIN_LOG_HASH_KEY_LENGTH} characters")
    return key


def _verification_key(algorithm: str) -> object:
    jwks_url = os.environ.get("JWT_JWKS_URL") or None
    if algorithm == "HS256":
        if jwks_url:
            raise ConfigurationError(
                "JWT_JWKS_URL is set but JWT_ALGORITHM is HS256: a JWKS publishes public keys, set "
                "JWT_ALGORITHM=RS256 (or unset JWT_JWKS_URL)"
            )
        return _hs256_secret(_required("JWT_SECRET"))
    if jwks_url:
        if os.environ.get("JWT_PUBLIC_KEY"):
            raise ConfigurationError("Set either JWT_PUBLIC_KEY or JWT_JWKS_URL for RS256, not both")
        return _jwks_keys(jwks_url)
    return _rsa_public_key(_required("JWT_PUBLIC_KEY"))


def _jwks_keys(url: str) -> object:
    parts = urlsplit(url)
    # Keys fetched in clear text can be replaced on the way; plain http only to this machine.
    loopback = parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost", "::1")
    if not (parts.scheme == "https" or loopback) or not parts.hostname:
        raise ConfigurationError("JWT_JWKS_URL must be an https:// URL (the identity provider's JWKS)")
    if find_spec("jwt") is None or find_spec("cryptography") is None:  # an HS256-only zip (package_lambda.py)
        raise ConfigurationError("JWT_ALGORITHM=RS256 needs the cryptography package in the zip")
    from .jwks import jwks_keys  # RS256 with a JWKS URL only

    return jwks_keys(url)


def _hs256_secret(secret: str) -> bytes:
    if any(marker in secret for marker in _ASYMMETRIC_KEY_MARKERS):
        raise ConfigurationError(
            "JWT_SECRET holds a public or private key, not a shared secret: with JWT_ALGORITHM=HS256 set "
            "JWT_SECRET to the HMAC secret; for tokens signed with an RSA key set JWT_ALGORITHM=RS256 and "
            "JWT_PUBLIC_KEY"
        )
    key = secret.encode("utf-8")
    if len(key) < MIN_HS256_SECRET_BYTES:
        raise ConfigurationError(
            f"JWT_SECRET must be at least {MIN_HS256_SECRET_BYTES} bytes for HS256: a shorter key can be "
            "guessed offline from any token (RFC 7518, section 3.2)"
        )
    return key


@lru_cache(maxsize=4)
def _rsa_public_key(pem: str) -> object:
    # Imported here, and only for RS256: `cryptography` costs tens of milliseconds at cold start.
    try:
        from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
        from cryptography.hazmat.primitives.serialization import load_pem_public_key
    except ImportError:
        raise ConfigurationError("JWT_ALGORITHM=RS256 needs the cryptography package in the zip") from None
    # Environment variables often carry PEM newlines as the two characters "\n".
    pem_bytes = pem.replace("\\n", "\n").encode("utf-8")
    try:
        key = load_pem_public_key(pem_bytes)
    except (ValueError, TypeError):
        raise ConfigurationError("JWT_PUBLIC_KEY is not a PEM public key") from None
    if not isinstance(key, RSAPublicKey):
        raise ConfigurationError("JWT_PUBLIC_KEY is not an RSA public key")
    if key.key_size < 2048:
        raise ConfigurationError("JWT_PUBLIC_KEY must be an RSA key of at least 2048 bits")
    return key
