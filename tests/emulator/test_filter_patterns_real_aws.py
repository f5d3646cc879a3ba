"""Opt-in: the same TestMetricFilter checks sent to real CloudWatch Logs, the authority, and to the
emulator must give the same matches and extracted values.

    .venv/dev/bin/python -m pytest tests/emulator/test_filter_patterns_real_aws.py --real-aws

Needs AWS credentials (the usual chain; AWS_REGION or AWS_DEFAULT_REGION) and an emulator; it
calls only TestMetricFilter, which creates nothing and costs nothing.
"""

from __future__ import annotations

import json
import os

import boto3
import pytest

from cartmon.project import CATALOGUE_PATH, ENVIRONMENT_AT_START

pytestmark = pytest.mark.real_aws

CATALOGUE = json.loads(CATALOGUE_PATH.read_text())
LINES = [
    json.dumps(
        {
            "level": "INFO",
            "message": "Cart migration successful",
            "event_type": "migration_success",
            "duration_ms": 245.3,
        }
    ),
    json.dumps(
        {
            "level": "ERROR",
            "message": "Cart migration failed",
            "event_type": "migration_failure",
            "error_type": "StorageError",
        }
    ),
    json.dumps({"event_type": "performance_metric", "operation": "get_all_carts", "duration_ms": 12}),
    json.dumps({"event_type": "performance_metric", "operation": "get_all_carts"}),
    json.dumps({"a": {"b": [1, {"c": "x"}]}, "flag": True, "none": None, "n": 1.5e3}),
    "START RequestId: 6f1c Version: $LATEST",
    "REPORT RequestId: 6f1c\tDuration: 245.30 ms\tBilled Duration: 246 ms\tMemory Size: 256 MB\tMax Memory Used: 90 MB",
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534',
    "2025-11-21 ERROR Exception in thread main",
]
PATTERNS = [metric["filter_pattern"] for metric in CATALOGUE["metrics"].values()] + [
    "ERROR",
    "?ERROR ?Duration",
    '"Cart migration" -failed',
    "%Duration: [0-9]+%",
    "{ $.duration_ms > 100 }",
    "{ $.duration_ms >= 1.2e1 && $.duration_ms < 13 }",
    '{ $.a.b[1].c = "x" }',
    "{ $.flag IS TRUE }",
    "{ $.none IS NULL }",
    "{ $.missing NOT EXISTS }",
    '{ ($.event_type = "migration_*") || ($.n = 1500) }',
    '{ $.error_type != "StorageError" }',
    "[ip, id, user, timestamp, request, status_code = 4*, size]",
    "[ip, ..., status_code != 200, size > 1000]",
    "[..., size]",
    '""',
]


@pytest.fixture(scope="module")
def real_logs():
    """A client of real CloudWatch Logs, made from the environment the run started with."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update({k: v for k, v in ENVIRONMENT_AT_START.items() if not k.startswith("AWS_ENDPOINT_URL")})
    try:
        session = boto3.Session()
        session.client("sts").get_caller_identity()
        return session.client("logs")
    except Exception as error:  # noqa: BLE001 - any failure here means "no usable credentials"
        pytest.fail(f"--real-aws needs working AWS credentials: {error}", pytrace=False)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def outcome(client, pattern: str):
    try:
        matches = client.test_metric_filter(filterPattern=pattern, logEventMessages=LINES)["matches"]
    except client.exceptions.InvalidParameterException:
        return "invalid pattern"
    return [(m["eventNumber"], m["extractedValues"]) for m in matches]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_emulator_agrees_with_cloudwatch_logs(pattern, real_logs, aws_client):
    assert outcome(aws_client("logs"), pattern) == outcome(real_logs, pattern)
