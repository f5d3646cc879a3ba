"""The deployed function's own resources at work: audit entries land in the audit log group the
module retains for 90 days, and `make query` answers from a saved query."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from cart_migration.redaction import hash_customer_id
from cartmon.local.traffic import Shop, new_customer

# One worker for the group: examples/local applied once on the emulator, and the emulator clock, which this group alone moves.
pytestmark = pytest.mark.xdist_group("stack-and-clock")


@pytest.fixture(scope="module")
def shop(make_runtime, function_environment, applied_stack):
    return Shop(make_runtime(), function_environment["JWT_SECRET"], applied_stack["carts_table_name"])


def test_a_migration_writes_its_audit_entry_to_the_audit_log_group(shop, applied_stack, aws_client):
    customer = new_customer()
    invocation = shop.migrate(customer, shop.seed_guest_cart())
    assert invocation.status_code == 200
    logs = aws_client("logs")
    group = applied_stack["log_group_names"]["audit"]
    deadline = time.monotonic() + 10
    entries = []
    while not entries and time.monotonic() < deadline:
        events = logs.filter_log_events(logGroupName=group)["events"]
        entries = [json.loads(e["message"]) for e in events if hash_customer_id(customer) in e["message"]]
    assert entries, "no audit entry for the migration in the audit log group"
    (entry,) = entries
    assert entry["event_type"] == "audit_log"
    assert entry["outcome"] == "success" and entry["action"] == "cart_migration"
    assert customer not in json.dumps(entry), "the customer id is logged hashed only"


def test_make_query_prints_the_saved_query_rows(shop, applied_stack, aws_endpoint, emulator_clock):
    shop.failed_migrations(2)
    result = subprocess.run(
        # The full name: the archive stack of tests/e2e/test_log_archive.py, applied beside this one,
        # saves a query of the same short name (the tool then lists both and asks which).
        [
            sys.executable,
            "-m",
            "cartmon.ops.query",
            "vyaparai-cart-migration/Top Failure Reasons",
            "--since",
            "10m",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "AWS_ENDPOINT_URL": aws_endpoint},
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("vyaparai-cart-migration/Top Failure Reasons")
    assert lines[1].split() == ["error_type", "error_message", "failures"]
    assert any(
        line.split()[0] == "ResourceNotFoundException" and line.split()[-1].isdigit() for line in lines[3:]
    )
