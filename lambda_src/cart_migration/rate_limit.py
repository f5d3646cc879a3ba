"""Per-customer fixed-window rate limit shared by every Lambda container, held in DynamoDB.

One conditional UpdateItem per call both counts and decides: the counter of the current window
is incremented only while it is below the limit. A fixed window lets a burst of up to twice the
limit straddle a window boundary; a sliding window would cost more writes per call.
Hand-written: Powertools has no rate limiter.
"""

from __future__ import annotations

import math
from typing import Any

from botocore.exceptions import ClientError

from . import dynamo

RATE_KEY = "rate_key"
EXPIRES_AT = "expires_at"
CALL_COUNT = "call_count"


class RateLimitDecision:
    __slots__ = ("allowed", "retry_after_seconds")

    def __init__(self, allowed: bool, retry_after_seconds: int) -> None:
        self.allowed = allowed
        self.retry_after_seconds = retry_after_seconds


def rate_key(endpoint: str, customer_id: str, window_index: int) -> str:
    return f"{endpoint}#{customer_id}#{window_index}"


def consume(
    client: Any, table: str, endpoint: str, customer_id: str, max_calls: int, window_seconds: int, now: float
) -> RateLimitDecision:
    window_index = int(now // window_seconds)
    window_end = (window_index + 1) * window_seconds
    try:
        dynamo.call(
            client,
            "UpdateItem",
            table,
            expected_error_codes=("ConditionalCheckFailedException",),
            TableName=table,
            Key={RATE_KEY: {"S": rate_key(endpoint, customer_id, window_index)}},
            UpdateExpression="ADD #count :one SET #expires = if_not_exists(#expires, :expires)",
            ConditionExpression="attribute_not_exists(#count) OR #count < :max",
            ExpressionAttributeNames={"#count": CALL_COUNT, "#expires": EXPIRES_AT},
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":max": {"N": str(max_calls)},
                # Kept one window past its end so a late TTL sweep never resets a live window.
                ":expires": {"N": str(window_end + window_seconds)},
            },
        )
    except ClientError:
        return RateLimitDecision(allowed=False, retry_after_seconds=max(1, math.ceil(window_end - now)))
    return RateLimitDecision(allowed=True, retry_after_seconds=0)
