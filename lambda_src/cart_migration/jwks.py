"""RS256 verification keys from the identity provider's JWKS URL (JWT_JWKS_URL), chosen by ``kid``.

Identity providers (Cognito, Auth0, Okta...) rotate their signing keys and publish the current
ones at a JWKS URL; a public key pinned in JWT_PUBLIC_KEY breaks at the first rotation.

PyJWT's ``PyJWKClient`` (2.15) does what is needed, so it is used rather than a fetcher of our own:
it keeps the fetched key set for ``KEY_SET_LIFESPAN_SECONDS``, refetches it when a token names a
``kid`` it does not hold (a rotation), but at most once per ``REFRESH_COOLDOWN_SECONDS`` so that
tokens with made-up ``kid`` values cannot make every request fetch, bounds each fetch by
``FETCH_TIMEOUT_SECONDS``, refuses redirects and any scheme but http(s). What is added here: the
key must be an RSA key of at least 2048 bits meant for RS256 (a JWKS may also list encryption
keys, HMAC or EC keys), and an unreachable endpoint is told apart from a bad token (the handler
answers 503, not 401, so clients retry instead of signing their users out).

One client per URL and per container (``jwks_keys`` is cached), so the key set outlives the
invocation that fetched it. Imported only for RS256 with a JWKS URL: PyJWT loads ``cryptography``.
"""

from __future__ import annotations

import threading
from typing import Any

KEY_SET_LIFESPAN_SECONDS = 300
REFRESH_COOLDOWN_SECONDS = 30
# A stuck identity provider must not hold the request until the function's own timeout.
FETCH_TIMEOUT_SECONDS = 2.0
MIN_RSA_KEY_BITS = 2048
_MAX_KID_LENGTH = 256


class KeySetUnavailable(Exception):
    """The JWKS endpoint could not be read: the token may be fine, the keys are out of reach."""


class JwksKeys:
    """The verification keys published at one JWKS URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._client: Any = None
        self._lock = threading.Lock()

    def _jwk_client(self) -> Any:
        with self._lock:
            if self._client is None:
                from jwt import PyJWKClient  # RS256 only: PyJWT imports cryptography

                self._client = PyJWKClient(
                    self.url,
                    cache_keys=False,  # its per-kid cache never expires: a withdrawn key would stay trusted
                    cache_jwk_set=True,
                    lifespan=KEY_SET_LIFESPAN_SECONDS,
                    timeout=FETCH_TIMEOUT_SECONDS,
                    cooldown_duration=REFRESH_COOLDOWN_SECONDS,
                )
            return self._client

    def key_for(self, kid: Any) -> Any:
        """The RSA public key the token's ``kid`` names, or AuthenticationFailed / KeySetUnavailable."""
        from jwt.exceptions import PyJWKClientConnectionError, PyJWKClientError, PyJWKSetError

        from .auth import AuthenticationFailed

        if not isinstance(kid, str) or not kid or len(kid) > _MAX_KID_LENGTH:
            raise AuthenticationFailed("unknown_key")
        try:
            signing_key = self._jwk_client().get_signing_key(kid)
        except PyJWKClientConnectionError:
            raise KeySetUnavailable("the JWKS endpoint did not answer") from None
        except PyJWKSetError:
            raise KeySetUnavailable("the JWKS endpoint answered with no usable keys") from None
        except PyJWKClientError as error:
            if "Unable to find a signing key" in str(error):
                raise AuthenticationFailed("unknown_key") from None
            raise KeySetUnavailable("the JWKS endpoint answered with no usable keys") from None
        return _rs256_key(signing_key)


def _rs256_key(signing_key: Any) -> Any:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

    from .auth import AuthenticationFailed

    key = signing_key.key
    if signing_key.algorithm_name != "RS256" or not isinstance(key, RSAPublicKey):
        raise AuthenticationFailed("algorithm_not_allowed")
    if key.key_size < MIN_RSA_KEY_BITS:
        raise AuthenticationFailed("invalid_signature")
    return key


_clients: dict[str, JwksKeys] = {}
_clients_lock = threading.Lock()


def jwks_keys(url: str) -> JwksKeys:
    """The one JwksKeys of this container for ``url``."""
    with _clients_lock:
        keys = _clients.get(url)
        if keys is None:
            keys = _clients[url] = JwksKeys(url)
        return keys


def forget_key_sets() -> None:
    """Drop every cached key set (tests)."""
    with _clients_lock:
        _clients.clear()
