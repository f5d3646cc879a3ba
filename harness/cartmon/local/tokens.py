"""The bearer tokens a shop client sends: JWTs signed with the function's key (or another, to forge)."""

from __future__ import annotations

import time
from typing import Any

import jwt


def make_token(
    customer_id: str | None,
    key: Any,
    algorithm: str = "HS256",
    expires_in: int = 300,
    headers: dict | None = None,
    **claims: Any,
) -> str:
    payload: dict[str, Any] = {"exp": int(time.time()) + expires_in, "type": "customer", **claims}
    if customer_id is not None:
        payload["customer_id"] = customer_id
    return jwt.encode(payload, key, algorithm=algorithm, headers=headers)
