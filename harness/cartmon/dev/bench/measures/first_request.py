"""Cold start as a caller sees it: init plus the first request, ours beside a bare-boto3 baseline.

Each run is a fresh interpreter that imports a handler module (init), then serves one
single-store migration through the local Lambda runtime (`cartmon.local.runtime.LocalLambda`)
against the emulator. Ours is `cart_migration.handler`; the baseline is BASELINE_HANDLER, which
makes the same DynamoDB calls as ours does for that request (the rate-limit UpdateItem, one
BatchGetItem, one TransactWriteItems) with a bare boto3 client, and nothing else: no token
check, no validation, no logging. Interpreter start-up is left out of both; the runtime's own
work (log shipping, Lambda metrics) is outside the timed handler call.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from cartmon.dev.bench.fixtures import Bench, new_customer, new_session
from cartmon.dev.bench.settings import Settings
from cartmon.dev.bench.stats import percentile
from cartmon.project import ROOT

BASELINE_HANDLER = '''"""Baseline: one single-store migration's DynamoDB calls with bare boto3, nothing else."""
import json
import os
import time

import boto3

dynamodb = boto3.client("dynamodb")
CARTS = os.environ["CARTS_TABLE"]
RATE_LIMITS = os.environ["RATE_LIMIT_TABLE"]


def lambda_handler(event, context):
    body = json.loads(event["body"])
    customer, guest, store = os.environ["BENCH_CUSTOMER_ID"], body["guest_session_id"], body["store_id"]
    dynamodb.update_item(
        TableName=RATE_LIMITS,
        Key={"rate_key": {"S": f"migrate#{customer}"}},
        UpdateExpression="ADD calls :one SET expires_at = :ttl",
        ExpressionAttributeValues={":one": {"N": "1"}, ":ttl": {"N": str(int(time.time()) + 120)}},
    )
    keys = [{"customer_id": {"S": owner}, "store_id": {"S": store}} for owner in (guest, customer)]
    found = dynamodb.batch_get_item(RequestItems={CARTS: {"Keys": keys}})["Responses"][CARTS]
    guest_cart = next(item for item in found if item["customer_id"]["S"] == guest)
    merged = dict(guest_cart, customer_id={"S": customer})
    merged.pop("expires_at", None)
    dynamodb.transact_write_items(
        TransactItems=[
            {"Delete": {"TableName": CARTS, "Key": keys[0]}},
            {"Put": {"TableName": CARTS, "Item": merged}},
        ]
    )
    return {"statusCode": 200, "body": json.dumps({"migrated_carts": 1})}
'''

# Runs in the fresh interpreter: argv[1] is the handler module, the rest comes from the environment.
CHILD = """
import time
started = time.perf_counter()
import importlib, json, os, sys
handler = importlib.import_module(sys.argv[1])
init_ms = (time.perf_counter() - started) * 1000
import boto3
from cartmon.local.runtime import LocalLambda
from cartmon.local.events import api_event
from cartmon.local.tokens import make_token
runtime = LocalLambda(
    os.environ["BENCH_FUNCTION_NAME"],
    os.environ["AUDIT_LOG_GROUP"],
    boto3.client("logs"),
    boto3.client("cloudwatch"),
    environment={},
    # Ours goes through the runtime's own init (its configuration check); the baseline is handed in.
    handler=None if sys.argv[1] == "cart_migration.handler" else handler.lambda_handler,
)
token = make_token(os.environ["BENCH_CUSTOMER_ID"], os.environ["JWT_SECRET"], expires_in=3600)
body = {"guest_session_id": os.environ["BENCH_GUEST_SESSION"], "store_id": "store-000", "merge_strategy": "merge"}
event = api_event("rest_v1", "POST", "/api/v1/cart/migrate", body, {"Authorization": f"Bearer {token}"})
invocation = runtime.invoke(event)
print(json.dumps({"init_ms": init_ms, "first_request_ms": invocation.duration_ms,
                  "status": invocation.status_code, "body": invocation.body, "error": invocation.error}))
"""

VARIANTS = {
    "ours": ("`cart_migration.handler`", "cart_migration.handler"),
    "baseline": ("the same DynamoDB calls with bare boto3 (no checks, no logging)", "baseline_handler"),
}


def _run_once(module: str, env: dict[str, str]) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, module], env=env, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        raise RuntimeError(f"first request through {module} failed: {result.stderr[-2000:]}")
    run = json.loads(result.stdout.strip().splitlines()[-1])
    if run["status"] != 200:
        raise RuntimeError(f"first request through {module} answered {run['status']}: {run['body']}")
    return run


def measure_first_request(bench: Bench, settings: Settings) -> dict[str, Any]:
    """Median init and first-request times of each variant over `settings.first_request_runs`
    fresh interpreters, the variants taking turns."""
    with tempfile.TemporaryDirectory(prefix="bench-first-request-") as scratch:
        Path(scratch, "baseline_handler.py").write_text(BASELINE_HANDLER)
        base_env = {name: value for name, value in os.environ.items() if not name.startswith("PYTHON")}
        base_env.update(
            PYTHONPATH=os.pathsep.join([scratch, str(ROOT / "lambda_src")]),
            BENCH_FUNCTION_NAME=f"bench-{bench.run_id}-fn",
        )
        runs: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for _ in range(settings.first_request_runs):
            for name, (_, module) in VARIANTS.items():
                bench.purge()
                session, customer = new_session(), new_customer("first")
                bench.seed(session, None, 1, 5)
                env = dict(base_env, BENCH_CUSTOMER_ID=customer, BENCH_GUEST_SESSION=session)
                runs[name].append(_run_once(module, env))
        bench.purge()
    variants: list[dict[str, Any]] = []
    for name, (description, module) in VARIANTS.items():
        init = [run["init_ms"] for run in runs[name]]
        first = [run["first_request_ms"] for run in runs[name]]
        total = [a + b for a, b in zip(init, first, strict=True)]
        variants.append(
            {
                "name": name,
                "description": description,
                "module": module,
                "runs": len(total),
                "init_ms": percentile(init, 50),
                "first_request_ms": percentile(first, 50),
                "total_ms": percentile(total, 50),
            }
        )
    ours, baseline = variants[0]["total_ms"], variants[1]["total_ms"]
    return {"runs": settings.first_request_runs, "variants": variants, "ratio": ours / baseline}
