"""Infrastructure security: checkov passes with every skip justified in the code, the policies hold no
wildcard AWS does not require, and log groups can be encrypted with a customer key, end to end.

- checkov (its own venv, `.venv/checkov`, pinned in requirements/checkov.txt) scans the module and
  the examples: no failed check, every skipped check skipped by a `#checkov:skip=CKV_...:reason`
  comment next to its resource (none in .checkov.yaml), and no skip comment that skips nothing.
- The IAM policy documents of the module, read from the HCL: no wildcard action anywhere; no "*"
  resource except in the KMS key policy, where "*" means the key itself and is what AWS requires;
  the topic policy admits the account and CloudWatch, the latter only from this account.
- examples/complete's customer-managed key for the log groups (its key and key policy, copied from
  the example as written) is applied with the module's log groups on the emulator; both groups
  must come back encrypted with that key, and the key policy must admit logs.<region>.amazonaws.com
  for this account's log groups only.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import hcl2
import pytest

from cartmon.dev.docs import blocks
from cartmon.project import ROOT, copy_module
from tests.reliability.conftest import JOB_TIMEOUT_SECONDS

# One worker for the group: one process sees every figure and owns the background jobs (tests/reliability/conftest.py).
pytestmark = pytest.mark.xdist_group("reliability")

CHECKOV = ROOT / ".venv" / "checkov" / "bin" / "checkov"
SKIP_COMMENT = re.compile(r"#\s*checkov:skip=(CKV2?_[A-Z0-9_]+):(.*)")
MIN_REASON_LENGTH = 30


def terraform_files() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.tf")
        if not {".terraform", ".venv", "build", ".git"} & set(path.relative_to(ROOT).parts)
    )


def run_checkov(ctx) -> dict:
    if not CHECKOV.exists():
        return {"missing": f"{CHECKOV} is missing: create it with `make checkov` (requirements/checkov.txt)"}
    started = time.monotonic()
    result = subprocess.run(
        [str(CHECKOV), "-d", ".", "--framework", "terraform", "-o", "json"],
        cwd=ROOT,
        env=ctx.environment,
        capture_output=True,
        text=True,
        timeout=JOB_TIMEOUT_SECONDS,
    )
    return {
        "returncode": result.returncode,
        "stdout": result.stdout,
        "stderr": result.stderr[-3000:],
        "seconds": round(time.monotonic() - started, 1),
    }


@pytest.mark.background(job=run_checkov)
def test_checkov_passes_and_every_skip_is_justified_next_to_its_resource(background, figure):
    row = figure(
        "checkov",
        "checkov checks (module and examples)",
        unit="checks",
        scale="checkov (terraform framework) over the root module, modules/* and examples/*",
    )
    row.count("failed checks", expected=0)
    row.count("skips without a reason in the code", expected=0)
    row.count("skip comments that skip nothing", expected=0)
    outcome = background.result(run_checkov, row)
    assert "missing" not in outcome, outcome.get("missing")
    assert outcome["stdout"].strip(), f"checkov printed nothing:\n{outcome['stderr']}"
    reports = json.loads(outcome["stdout"])
    reports = reports if isinstance(reports, list) else [reports]
    (report,) = [r for r in reports if r.get("check_type") == "terraform"]
    summary, results = report["summary"], report["results"]
    row.tried = summary["passed"] + summary["failed"] + summary["skipped"]
    row.add("failed checks", summary["failed"])

    # Each skip must be a comment inside the resource it skips, with a reason.
    comments = [
        (match.group(1), "/" + str(path.relative_to(ROOT)), number, match.group(2).strip())
        for path in terraform_files()
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if (match := SKIP_COMMENT.search(line))
    ]
    skipped = results.get("skipped_checks", [])
    used = set()
    for check in skipped:
        first, last = check["file_line_range"]
        inside = [
            comment
            for comment in comments
            if comment[:2] == (check["check_id"], check["file_path"]) and first <= comment[2] <= last
        ]
        used.update(inside)
        reason = (check.get("check_result") or {}).get("suppress_comment") or ""
        justified = (
            any(len(comment[3]) >= MIN_REASON_LENGTH for comment in inside)
            and len(reason) >= MIN_REASON_LENGTH
        )
        row.add("skips without a reason in the code", int(not justified))
    row.add("skip comments that skip nothing", len(set(comments) - used))
    row.note(
        f"checkov {summary.get('checkov_version')}: {summary['passed']} passed, {summary['failed']} failed, "
        f"{summary['skipped']} skipped, {summary['parsing_errors']} parsing errors, in {outcome['seconds']} s"
    )
    for check_id, file_path, number, reason in comments:
        row.note(f"skip {check_id} at {file_path.lstrip('/')}:{number}: {reason}")

    config = (ROOT / ".checkov.yaml").read_text()
    assert "skip-check" not in config, (
        "skips belong next to their resource, with a reason, not in .checkov.yaml"
    )
    assert summary["parsing_errors"] == 0
    failed = [f"{c['check_id']} {c['resource']} ({c['file_path']})" for c in results.get("failed_checks", [])]
    assert not failed, "checkov failed:\n" + "\n".join(failed)
    for check in row.checks:
        assert row.check_ok(check), f"{check.name}: {check.value}"


# --- the policies, read from the HCL ------------------------------------------------------------


def unquote(value):
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def policy_documents() -> dict[str, list[dict]]:
    """Statements of every aws_iam_policy_document in the module, keyed by "<module>/<name>"."""
    documents = {}
    for main in [ROOT / "main.tf", *sorted((ROOT / "modules").glob("*/main.tf"))]:
        for block in hcl2.loads(main.read_text()).get("data", []):
            for name, body in block.get(
                '"aws_iam_policy_document"', block.get("aws_iam_policy_document", {})
            ).items():
                documents[f"{main.parent.name}/{unquote(name)}"] = body.get("statement", [])
    return documents


def as_list(value) -> list:
    if value is None:
        return []
    return [unquote(v) for v in (value if isinstance(value, list) else [value])]


def test_policies_hold_no_wildcard_aws_does_not_require(figure):
    row = figure(
        "policies",
        "IAM, topic and key policy statements",
        unit="statements",
        scale="every statement of every aws_iam_policy_document in the module, read from the HCL",
    )
    row.count("wildcard actions", expected=0)
    row.count("wildcard resources AWS does not require", expected=0)
    row.count("topic principals beyond account + its CloudWatch", expected=0)
    documents = policy_documents()
    key_policies = {"alerting/kms"}
    # What AWS requires in a key policy: "kms:*" for the account root (AWS's default key statement,
    # which keeps the key manageable; see the checkov skips in modules/alerting/main.tf) and
    # "kms:GenerateDataKey*" for CloudWatch, as AWS documents the statement that lets alarms
    # publish to an encrypted topic. Anywhere else a wildcard action is a finding.
    required_in_key_policies = {"kms:*", "kms:GenerateDataKey*"}
    for document, statements in documents.items():
        for statement in statements:
            row.tried += 1
            if unquote(str(statement.get("effect", "Allow"))) == "Deny":
                # A Deny grants nothing: the log archive's TLS-only bucket policy denies s3:* to "*".
                assert document == "log_archive/bucket", f"{document}: unexpected Deny statement"
                assert {unquote(c["variable"]) for c in statement.get("condition", [])} == {
                    "aws:SecureTransport"
                }
                continue
            actions = as_list(statement.get("actions"))
            resources = as_list(statement.get("resources"))
            row.add(
                "wildcard actions",
                sum(
                    "*" in action
                    for action in actions
                    if not (document in key_policies and action in required_in_key_policies)
                ),
            )
            if document not in key_policies:
                row.add(
                    "wildcard resources AWS does not require", sum(resource == "*" for resource in resources)
                )
            if document == "alerting/topic":
                for principal in statement.get("principals", []):
                    kind, identifiers = unquote(principal["type"]), as_list(principal["identifiers"])
                    conditions = {unquote(c["variable"]) for c in statement.get("condition", [])}
                    account_root = kind == "AWS" and identifiers == [
                        "arn:${local.partition}:iam::${local.account_id}:root"
                    ]
                    same_account_cloudwatch = (
                        kind == "Service"
                        and identifiers == ["cloudwatch.amazonaws.com"]
                        and "aws:SourceArn" in conditions
                    )
                    row.add(
                        "topic principals beyond account + its CloudWatch",
                        int(not (account_root or same_account_cloudwatch)),
                    )
    row.note("documents: " + ", ".join(sorted(documents)))
    assert {"alerting/kms", "alerting/topic", "migration_lambda/this", "migration_lambda/assume"} <= set(
        documents
    )
    role = documents["migration_lambda/this"]
    assert all(resource != "*" for statement in role for resource in as_list(statement.get("resources")))
    for check in row.checks:
        assert row.check_ok(check), f"{check.name}: {check.value}"


# --- log groups encrypted with a customer key, end to end ---------------------------------------


def encrypted_log_groups_config(module_source: Path, name: str) -> str:
    """examples/complete's key and key policy as written, and the module with log_group_kms_key_id."""
    example = (ROOT / "examples" / "complete" / "main.tf").read_text()
    policy = blocks(example, 'data "aws_iam_policy_document"')["logs_key"]
    key = blocks(example, 'resource "aws_kms_key"')["logs"]
    return f"""
terraform {{
  required_providers {{
    aws = {{ source = "hashicorp/aws" }}
  }}
}}
provider "aws" {{
  region = "ap-south-1"
}}
data "aws_caller_identity" "current" {{}}
data "aws_region" "current" {{}}
locals {{
  tags = {{}}
  # examples/complete lists the groups the key covers; here the two this configuration creates.
  encrypted_log_groups = ["/aws/lambda/{name}-fn", "/{name}/audit"]
}}
data "aws_iam_policy_document" "logs_key" {{{policy}}}
resource "aws_kms_key" "logs" {{{key}}}
module "monitoring" {{
  source               = "{module_source}"
  function_name        = "{name}-fn"
  name_prefix          = "{name}"
  alarm_name_prefix    = "Reliability-Kms"
  log_group_kms_key_id = aws_kms_key.logs.arn
  # Both groups managed by the module (by default it leaves an existing function's group alone).
  create_function_log_group = true
}}
"""


def apply_encrypted_log_groups(ctx) -> dict:
    if ctx.endpoint is None:
        return {"no_emulator": True}
    scratch = Path(tempfile.mkdtemp(prefix="reliability-kms-"))
    env = ctx.aws_environment()

    def terraform(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["terraform", *args, "-no-color"],
            cwd=scratch / "config",
            env=env,
            capture_output=True,
            text=True,
            timeout=JOB_TIMEOUT_SECONDS,
        )

    # A name of its own, so that what an interrupted run left behind cannot get in the way.
    facts: dict = {"name": f"reliability-kms-{uuid.uuid4().hex[:8]}"}
    try:
        (scratch / "module").mkdir()
        (scratch / "config").mkdir()
        module = copy_module(scratch / "module")
        (scratch / "config" / "main.tf").write_text(encrypted_log_groups_config(module, facts["name"]))
        init = terraform("init", "-input=false")
        assert init.returncode == 0, init.stdout + init.stderr
        # Only the key and the log groups: the rest of the module is not what this is about.
        apply = terraform(
            "apply", "-input=false", "-auto-approve", "-target=module.monitoring.module.log_groups"
        )
        facts["apply"] = {"returncode": apply.returncode, "output": (apply.stdout + apply.stderr)[-3000:]}
        if apply.returncode == 0:
            # What the provider read back from the emulator after creating each resource.
            facts["state"] = json.loads((scratch / "config" / "terraform.tfstate").read_text())
        return facts
    finally:
        if (scratch / "config" / ".terraform").is_dir():
            destroy = terraform("destroy", "-input=false", "-auto-approve", "-refresh=false")
            facts["destroy"] = {
                "returncode": destroy.returncode,
                "output": (destroy.stdout + destroy.stderr)[-2000:],
            }
        shutil.rmtree(scratch, ignore_errors=True)


def resources(state: dict) -> list[dict]:
    """Every managed resource instance of a state file, as {type, values}."""
    return [
        {"type": resource["type"], "values": instance["attributes"]}
        for resource in state["resources"]
        if resource["mode"] == "managed"
        for instance in resource["instances"]
    ]


@pytest.mark.background(job=apply_encrypted_log_groups)
def test_log_groups_are_encrypted_with_a_customer_key_end_to_end(aws_endpoint, background, figure):
    row = figure(
        "log_group_encryption",
        "log groups on a customer KMS key (applied)",
        unit="log groups",
        scale="examples/complete's key and key policy + the module's log groups (log_group_kms_key_id), "
        "applied to the emulator and read back",
    )
    row.count("encrypted with the given key", expected="all")
    row.count("key policy admits Logs beyond own log groups", expected=0)
    facts = background.result(apply_encrypted_log_groups, row)
    assert "no_emulator" not in facts
    assert facts["apply"]["returncode"] == 0, facts["apply"]["output"]
    state = resources(facts["state"])
    (key,) = [r for r in state if r["type"] == "aws_kms_key"]
    groups = [r for r in state if r["type"] == "aws_cloudwatch_log_group"]
    for group in groups:
        row.tried += 1
        row.add("encrypted with the given key", int(group["values"]["kms_key_id"] == key["values"]["arn"]))
        row.note(f"{group['values']['name']}: kms_key_id = the example's key")
    statements = json.loads(key["values"]["policy"])["Statement"]
    logs = [s for s in statements if s.get("Principal", {}).get("Service") == "logs.ap-south-1.amazonaws.com"]
    account = key["values"]["arn"].split(":")[4]
    name = facts["name"]
    own = {
        f"arn:aws:logs:ap-south-1:{account}:log-group:{g}"
        for g in (f"/aws/lambda/{name}-fn", f"/{name}/audit")
    }
    for statement in logs:
        # Exactly the groups the module encrypts, each by its ARN (no wildcard).
        condition = statement.get("Condition", {})
        context = condition.get("ArnEquals", {}).get("kms:EncryptionContext:aws:logs:arn")
        admitted = set(as_list(context)) if context else set()
        row.add(
            "key policy admits Logs beyond own log groups",
            int(not admitted or not admitted <= own or "ArnLike" in condition),
        )
    assert sorted(g["values"]["name"] for g in groups) == sorted([f"/aws/lambda/{name}-fn", f"/{name}/audit"])
    assert logs, (
        "the key policy does not admit logs.<region>.amazonaws.com: CloudWatch Logs could not use the key"
    )
    assert facts["destroy"]["returncode"] == 0, facts["destroy"]["output"]
    for check in row.checks:
        assert row.check_ok(check), f"{check.name}: {check.value}"
