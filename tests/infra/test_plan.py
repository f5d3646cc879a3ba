"""Plan-level checks of the module: what `terraform plan` would create, compared with the guide and the catalogue.

One plan of examples/local (defaults = the guide) is shared by most checks; one plan of the root module
with every naming/routing option changed checks a second environment; two failing plans check that bad
input is refused with a clear message.

Over 600 lines: every check of one shared plan lives here so that the plan is made once per session.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cartmon.local.tables import table_definitions
from cartmon.project import ROOT
from tests.infra.guide import (
    ALERTS_TOPIC,
    DASHBOARD_TITLES,
    FUNCTION,
    GUIDE_ALARMS,
    NAMESPACE,
    PAGE_TOPIC,
    PREFIX,
    SIMPLE_EXTRA_ALARM,
)

# One worker for the group: one `terraform plan` per configuration, shared by the plan tests.
pytestmark = pytest.mark.xdist_group("plan")

RUNBOOK_DIR = Path(__file__).resolve().parents[2] / "docs" / "runbooks"

RESPONSE_TIMES = {"P1": "< 15 min", "P2": "< 1 hour", "P3": "< 4 hours"}
# runbook_base_url defaults to null: the description names the page and the module version.
_MODULE_VERSION_LINE = re.search(
    r'module_version\s*=\s*"([^"]+)"', (RUNBOOK_DIR.parents[1] / "main.tf").read_text()
)
assert _MODULE_VERSION_LINE, "main.tf sets no module_version"
MODULE_VERSION = _MODULE_VERSION_LINE.group(1)
RUNBOOK_REFERENCE = f"in terraform-aws-cart-migration-monitoring v{MODULE_VERSION}"

# The events of a cart migration's course: what the dashboard's "Recent Migration Logs" shows.
MIGRATION_EVENTS = [
    "cleanup_success",
    "merge_conflict",
    "migration_failure",
    "migration_start",
    "migration_success",
    "no_guest_carts",
    "store_cart_migrated",
]

QUERY_NAMES = [
    "Migration Success Rate",
    "Top Failure Reasons",
    "Average Migration Response Time",
    "Merge Strategy Distribution",
    "Customers with Multiple Migrations",
    "Rate Limit Analysis",
    "Performance by Merge Strategy",
]
INSIGHTS_COMMANDS = {"fields", "filter", "parse", "stats", "sort", "limit", "display", "dedup"}
INSIGHTS_FUNCTIONS = {
    "count",
    "count_distinct",
    "sum",
    "avg",
    "min",
    "max",
    "pct",
    "bin",
    "strcontains",
    "ispresent",
    "coalesce",
}
ALLOWED_RETENTION = {
    0,
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
}


# --------------------------------------------------------------------------- helpers


def planned(plan, rtype: str, name: str = "this") -> dict:
    """`after` of every planned resource of a type and name, keyed by its index (or None)."""
    out = {}
    for rc in plan.resource_changes.values():
        if rc["mode"] == "managed" and rc["type"] == rtype and rc["name"] == name:
            assert rc["change"]["actions"] == ["create"], rc["address"]
            out[rc.get("index")] = rc["change"]["after"]
    return out


def account_of(plan) -> str:
    return plan.outputs["sns_topic_arns"]["alerts"].split(":")[4]


def camel(op: str) -> str:
    return "".join(w.title() for w in op.split("_"))


def module_config(plan, *path: str) -> dict:
    """Configuration block of a nested module call, e.g. ('monitoring', 'metric_alarms')."""
    node = plan.configuration["root_module"]
    for name in path:
        node = node["module_calls"][name]["module"]
    return node


def config_resource(module: dict, address: str) -> dict:
    return next(r for r in module["resources"] if r["address"] == address)


def stages(query: str) -> list[str]:
    return [s.strip() for s in query.split("|")]


# --------------------------------------------------------------------------- alarms


@pytest.fixture(scope="module")
def alarms(local_plan) -> dict:
    found = planned(local_plan, "aws_cloudwatch_metric_alarm")
    return {k: v for k, v in found.items()}


def is_burn_rate_window(key: str) -> bool:
    """The SLO burn-rate window alarms (tests/infra/test_plan_slo.py checks them)."""
    return "Burn" in key


def test_alarm_set_is_guide_plus_success_rate_plus_latency(alarms, catalogue):
    expected = (
        set(GUIDE_ALARMS) | {"LowSuccessRate"} | {f"Latency{camel(op)}" for op in catalogue["operations"]}
    )
    assert {k for k in alarms if not is_burn_rate_window(k)} == expected
    for key, alarm in alarms.items():
        assert alarm["alarm_name"] == f"{PREFIX}-{key}"


@pytest.mark.parametrize("key", sorted(GUIDE_ALARMS))
def test_guide_alarm_values(alarms, key):
    spec, alarm = GUIDE_ALARMS[key], alarms[key]
    for field in (
        "namespace",
        "metric_name",
        "statistic",
        "period",
        "evaluation_periods",
        "comparison_operator",
        "threshold",
        "treat_missing_data",
    ):
        assert alarm[field] == spec[field], field
    assert (alarm.get("dimensions") or {}) == spec.get("dimensions", {})
    assert alarm["extended_statistic"] is None
    assert alarm["metric_query"] == []


@pytest.mark.parametrize("key", sorted(GUIDE_ALARMS) + ["LowSuccessRate"])
def test_description_has_priority_response_and_runbook(alarms, key):
    description = alarms[key]["alarm_description"]
    priority = GUIDE_ALARMS[key]["priority"] if key in GUIDE_ALARMS else "P1"
    assert description.startswith(f"{priority}: ")
    assert RESPONSE_TIMES[priority] in description
    if key in GUIDE_ALARMS:
        assert GUIDE_ALARMS[key]["response"] in description
    assert description.endswith(f"Runbook: docs/runbooks/{key}.md {RUNBOOK_REFERENCE}")
    assert len(description) <= 1024


def test_every_alarm_has_a_runbook_page(alarms):
    for key, alarm in alarms.items():
        runbook = re.search(r"Runbook: (\S+) in \S+ v\d+\.\d+\.\d+(-dev)?$", alarm["alarm_description"])
        assert runbook, f"{key} names no runbook"
        path = runbook.group(1)
        page = path.rsplit("/", 1)[1]
        if is_burn_rate_window(key):
            assert page in ("AvailabilityBurnRate.md", "LatencyBurnRate.md"), key
        else:
            assert page == f"{key}.md"
        text = (RUNBOOK_DIR / page).read_text()
        assert "## Investigation steps" in text and "## Common causes" in text, page


def test_alarm_and_ok_actions_route_by_priority(local_plan, alarms, catalogue):
    topics = local_plan.outputs["sns_topic_arns"]
    assert topics["alerts"].endswith(f":{ALERTS_TOPIC}")
    assert topics["page"].endswith(f":{PAGE_TOPIC}")
    # The former names: critical = page, warning = alerts.
    assert (topics["critical"], topics["warning"]) == (topics["page"], topics["alerts"])
    for key, alarm in alarms.items():
        priority = alarm["tags"]["Priority"]
        assert alarm["alarm_description"].startswith(f"{priority}: ")
        # Every metric alarm tells the guide's topic; pages come from the composite alarms only.
        # The burn-rate windows notify nobody: their composite alarms do.
        expected = [] if is_burn_rate_window(key) else [topics["alerts"]]
        assert (alarm["alarm_actions"] or []) == expected, key
        assert (alarm["ok_actions"] or []) == expected, key
        assert alarm["actions_enabled"] is True
    priorities = {k: a["tags"]["Priority"] for k, a in alarms.items()}
    assert priorities["LowSuccessRate"] == "P1"
    for op in catalogue["operations"]:
        assert priorities[f"Latency{camel(op)}"] == "P3"
    for key, spec in GUIDE_ALARMS.items():
        assert priorities[key] == spec["priority"]


def test_low_success_rate_is_metric_math_quiet_without_traffic(alarms):
    alarm = alarms["LowSuccessRate"]
    assert alarm["metric_name"] is None and alarm["namespace"] is None and alarm["period"] is None
    assert alarm["comparison_operator"] == "LessThanThreshold"
    assert alarm["threshold"] == 90
    assert alarm["treat_missing_data"] == "notBreaching"
    queries = {q["id"]: q for q in alarm["metric_query"]}
    assert set(queries) == {"s", "f", "result"}
    result = queries["result"]
    assert result["return_data"] is True
    expression = result["expression"]
    # Quiet below the minimum volume (slo_min_events = 20 requests in the 5 minutes).
    assert expression.replace(" ", "") == "IF((s+f)>=20,100*s/(s+f),100)"
    for qid, metric in (("s", "MigrationSuccessCount"), ("f", "MigrationFailureCount")):
        m = queries[qid]["metric"][0]
        assert queries[qid]["return_data"] is False
        assert (m["namespace"], m["metric_name"], m["stat"], m["period"]) == (NAMESPACE, metric, "Sum", 300)
    # The expression, read in Python: 100 below the volume, the success percentage otherwise.
    rate = lambda s, f: 100 * s / (s + f) if (s + f) >= 20 else 100  # noqa: E731
    assert rate(0, 0) == 100 and rate(2, 1) == 100 and rate(18, 2) == 90 and rate(17, 3) < 90


def test_latency_alarms_follow_catalogue_operations(alarms, catalogue):
    dimension = list(catalogue["metrics"]["OperationDuration"]["dimensions"])
    assert dimension == ["Operation"]
    for op, targets in catalogue["operations"].items():
        alarm = alarms[f"Latency{camel(op)}"]
        assert alarm["namespace"] == NAMESPACE
        assert alarm["metric_name"] == "OperationDuration"
        assert alarm["dimensions"] == {"Operation": op}
        assert alarm["extended_statistic"] == "p99"
        assert alarm["statistic"] is None
        assert alarm["period"] == 300
        # 2 of 3 periods, and a period with too few samples for a significant p99 keeps the state.
        assert (alarm["evaluation_periods"], alarm["datapoints_to_alarm"]) == (3, 2)
        assert alarm["evaluate_low_sample_count_percentiles"] == "ignore"
        assert alarm["comparison_operator"] == "GreaterThanThreshold"
        assert alarm["threshold"] == targets["alert_ms"]
        assert alarm["treat_missing_data"] == "notBreaching"
        assert targets["label"] in alarm["alarm_description"]


def test_alarm_metric_names_are_read_from_the_filters(local_plan):
    """Structural guard against drift: metric names of alarms reference the filter resource."""
    module = module_config(local_plan, "monitoring", "metric_alarms")
    alarm = config_resource(module, "aws_cloudwatch_metric_alarm.this")
    refs = alarm["expressions"]["metric_name"]["references"]
    assert "aws_cloudwatch_log_metric_filter.this" in refs
    assert "aws_cloudwatch_log_metric_filter.this" in alarm["expressions"]["namespace"]["references"]


# --------------------------------------------------------------------------- metric filters


def test_metric_filters_equal_the_catalogue(local_plan, catalogue):
    filters = planned(local_plan, "aws_cloudwatch_log_metric_filter")
    slow = catalogue["slis"]["latency"]["slow_metric"]
    timeouts = catalogue["slis"]["timeouts"]["metric"]
    assert set(filters) == set(catalogue["metrics"]) | {f"{slow}.{op}" for op in catalogue["operations"]} | {
        timeouts
    }
    for name, spec in catalogue["metrics"].items():
        f = filters[name]
        assert f["log_group_name"] == f"/aws/lambda/{FUNCTION}"
        assert f["pattern"] == spec["filter_pattern"]
        assert f["name"] == f"vyaparai-cart-migration-{name}"
        (t,) = f["metric_transformation"]
        assert t["name"] == name
        assert t["namespace"] == catalogue["metric_namespace"] == NAMESPACE
        assert t["value"] == spec["value"]
        assert t["unit"] == spec["unit"]
        assert (t.get("dimensions") or {}) == spec.get("dimensions", {})
        if "default_value" in spec:
            assert float(t["default_value"]) == float(spec["default_value"])
        else:
            assert t.get("default_value") in (None, "")
        # A filter cannot have both dimensions and a default value.
        assert not (t.get("dimensions") and t.get("default_value") not in (None, ""))
    assert local_plan.outputs["metric_filter_names"] == {k: f["name"] for k, f in filters.items()}


# --------------------------------------------------------------------------- dashboard


def test_dashboard_widgets(local_plan):
    (dashboard,) = planned(local_plan, "aws_cloudwatch_dashboard").values()
    assert dashboard["dashboard_name"] == PREFIX
    body = json.loads(dashboard["dashboard_body"])
    widgets = body["widgets"]
    assert [w["properties"]["title"] for w in widgets] == DASHBOARD_TITLES
    by_title = {w["properties"]["title"]: w for w in widgets}

    def metrics(title):
        return by_title[title]["properties"]["metrics"]

    assert metrics("Migration Success vs Failure") == [
        [NAMESPACE, "MigrationSuccessCount"],
        [NAMESPACE, "MigrationFailureCount"],
    ]
    assert metrics("Rate Limiting Events") == [[NAMESPACE, "RateLimitExceededCount"]]
    assert metrics("Merge Conflicts & No Guest Carts") == [
        [NAMESPACE, "MergeConflictCount"],
        [NAMESPACE, "NoGuestCartsCount"],
    ]
    for title in ("Migration Success vs Failure", "Rate Limiting Events", "Merge Conflicts & No Guest Carts"):
        assert by_title[title]["properties"]["stat"] == "Sum"
    duration = metrics("Lambda Duration")
    assert [m[:4] for m in duration] == [["AWS/Lambda", "Duration", "FunctionName", FUNCTION]] * 3
    assert sorted(m[4]["stat"] for m in duration) == ["Average", "Maximum", "Minimum"]
    for title, metric in (
        ("Total Invocations", "Invocations"),
        ("Total Errors", "Errors"),
        ("Total Throttles", "Throttles"),
    ):
        assert metrics(title) == [["AWS/Lambda", metric, "FunctionName", FUNCTION]]
        assert by_title[title]["properties"]["stat"] == "Sum"
    logs = by_title["Recent Migration Logs"]
    assert logs["type"] == "log"
    # The guide: "the last 20 migration-related log entries", not every performance and audit line.
    migration_events = ", ".join(json.dumps(e) for e in MIGRATION_EVENTS)
    assert logs["properties"]["query"] == (
        f"SOURCE '/aws/lambda/{FUNCTION}' | fields @timestamp, event_type, message, customer_id"
        f" | filter event_type in [{migration_events}]"
        " | sort @timestamp desc | limit 20"
    )
    for w in widgets:
        assert w["type"] == "alarm" or w["properties"]["region"] == "ap-south-1"
        assert 0 <= w["x"] and w["x"] + w["width"] <= 24
    assert by_title["Lambda Duration"]["properties"]["yAxis"]["left"]["label"] == "Milliseconds"


def test_dashboard_shows_the_alarms_that_notify_pages_first(local_plan):
    (dashboard,) = planned(local_plan, "aws_cloudwatch_dashboard").values()
    widgets = json.loads(dashboard["dashboard_body"])["widgets"]
    status = widgets[0]
    assert (status["type"], status["y"], status["width"]) == ("alarm", 0, 24)
    assert min(w["y"] for w in widgets[1:]) == status["height"], "the rest sits below it"
    names = [arn.split(":alarm:", 1)[1] for arn in status["properties"]["alarms"]]
    assert all(
        arn.startswith(f"arn:aws:cloudwatch:ap-south-1:{account_of(local_plan)}:alarm:")
        for arn in status["properties"]["alarms"]
    )
    composites = [
        *planned(local_plan, "aws_cloudwatch_composite_alarm").values(),
        *planned(local_plan, "aws_cloudwatch_composite_alarm", "nested").values(),
    ]
    page_topic = local_plan.outputs["sns_topic_arns"]["page"]
    # A composite that notifies nobody plans its empty actions as null.
    pages = sorted(c["alarm_name"] for c in composites if page_topic in (c["alarm_actions"] or []))
    tickets = {
        c["alarm_name"] for c in composites if c["alarm_actions"] and page_topic not in c["alarm_actions"]
    }
    metric = planned(local_plan, "aws_cloudwatch_metric_alarm").values()
    tickets |= {a["alarm_name"] for a in metric if a["alarm_actions"]}
    silent = {a["alarm_name"] for a in metric if not a["alarm_actions"]}
    assert pages and tickets and silent
    assert sorted(names[: len(pages)]) == pages
    assert set(names[len(pages) :]) == tickets
    assert not silent & set(names), "no burn-rate window"


def test_metric_widgets_draw_the_thresholds_of_the_alarms_on_their_metrics(local_plan):
    (dashboard,) = planned(local_plan, "aws_cloudwatch_dashboard").values()
    by_title = {w["properties"]["title"]: w for w in json.loads(dashboard["dashboard_body"])["widgets"]}

    def lines(title):
        return by_title[title]["properties"].get("annotations", {}).get("horizontal", [])

    # HighFailureRate: MigrationFailureCount Sum > 5 per 300 s, the widget's statistic and period.
    assert [(line["label"], line["value"]) for line in lines("Migration Success vs Failure")] == [
        ("HighFailureRate > 5", 5)
    ]
    assert [(line["label"], line["value"]) for line in lines("Rate Limiting Events")] == [
        ("ExcessiveRateLimiting > 20", 20)
    ]
    # NoSuccessfulMigrations sums 30 minutes: its threshold is not drawn on 5-minute sums.
    assert "annotations" not in by_title["Merge Conflicts & No Guest Carts"]["properties"]


# --------------------------------------------------------------------------- saved queries


@pytest.fixture(scope="module")
def queries(local_plan) -> dict:
    found = planned(local_plan, "aws_cloudwatch_query_definition")
    return {k: v for k, v in found.items()}


def test_query_definition_names_and_log_group(queries):
    assert sorted(queries) == sorted(QUERY_NAMES)
    for name, q in queries.items():
        assert q["name"] == f"vyaparai-cart-migration/{name}"
        assert q["log_group_names"] == [f"/aws/lambda/{FUNCTION}"]


def test_query_strings(queries):
    q = {name: " ".join(stages(d["query_string"])) for name, d in queries.items()}
    flat = {name: " | ".join(stages(d["query_string"])) for name, d in queries.items()}
    assert flat["Migration Success Rate"] == (
        'fields @timestamp, event_type | filter event_type in ["migration_success", "migration_failure"]'
        ' | stats count(*) as total, sum(strcontains(event_type, "migration_success")) as success,'
        ' sum(strcontains(event_type, "migration_failure")) as failed by bin(5m)'
    )
    assert (
        'filter event_type = "migration_failure" | stats count(*) as failures by error_type, error_message'
        " | sort failures desc | limit 10"
    ) in flat["Top Failure Reasons"]
    assert 'filter event_type = "migration_success"' in q["Average Migration Response Time"]
    for agg in ("avg(duration_ms)", "max(duration_ms)", "min(duration_ms)", "by bin(5m)"):
        assert agg in q["Average Migration Response Time"]
    assert (
        'filter event_type = "migration_start" | stats count(*) as migrations by merge_strategy'
        in flat["Merge Strategy Distribution"]
    )
    assert (
        "stats count(*) as migration_count by customer_id | filter migration_count > 5"
        " | sort migration_count desc"
    ) in flat["Customers with Multiple Migrations"]
    assert (
        'filter event_type = "rate_limit_exceeded" | stats count(*) as rate_limit_hits by customer_id, bin(1h)'
        " | sort rate_limit_hits desc"
    ) in flat["Rate Limit Analysis"]
    assert 'filter event_type = "migration_success"' in q["Performance by Merge Strategy"]
    assert "avg(duration_ms) as avg_duration" in q["Performance by Merge Strategy"]
    assert "by merge_strategy" in q["Performance by Merge Strategy"]


def test_recent_logs_show_the_catalogue_migration_category(catalogue):
    migration = sorted(name for name, spec in catalogue["events"].items() if spec["category"] == "migration")
    assert migration == MIGRATION_EVENTS
    assert not {"performance_metric", "audit_log"} & set(migration)


def test_queries_use_only_supported_syntax_and_catalogue_fields(queries, catalogue):
    for name, d in queries.items():
        query = d["query_string"]
        assert "case" not in query.split() and "when" not in query.split(), name
        for stage in stages(query):
            assert stage.split()[0] in INSIGHTS_COMMANDS, (name, stage)
        for fn in re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(", query):
            assert fn in INSIGHTS_FUNCTIONS, (name, fn)
        events = set(re.findall(r'event_type\s*=\s*"([a-z_]+)"', query))
        for group in re.findall(r"event_type in \[([^\]]*)\]", query):
            events |= set(re.findall(r'"([a-z_]+)"', group))
        assert events and events <= set(catalogue["events"]), (name, events)
        known = set(catalogue["common_fields"]) | {
            f for e in events for f in catalogue["events"][e]["fields"]
        }
        known |= set(re.findall(r"\bas ([a-z_]+)", query))
        for stage in stages(query):
            words = stage.split(None, 1)
            if words[0] == "fields":
                names = [n.strip() for n in words[1].split(",")]
            elif words[0] == "stats" and " by " in stage:
                names = [n.strip() for n in stage.split(" by ", 1)[1].split(",") if "(" not in n]
            elif words[0] == "sort":
                names = [words[1].split()[0]]
            else:
                continue
            for field in names:
                assert field.startswith("@") or field in known, (name, field)


# --------------------------------------------------------------------------- log groups


def test_log_groups(local_plan):
    groups = planned(local_plan, "aws_cloudwatch_log_group", "function")
    (function,) = groups.values()
    (audit,) = planned(local_plan, "aws_cloudwatch_log_group", "audit").values()
    assert function["name"] == f"/aws/lambda/{FUNCTION}" and function["retention_in_days"] == 30
    assert audit["name"] == "/vyaparai-cart-migration/audit" and audit["retention_in_days"] == 90
    assert {function["retention_in_days"], audit["retention_in_days"]} <= ALLOWED_RETENTION
    assert local_plan.outputs["log_group_names"] == {"function": function["name"], "audit": audit["name"]}


# --------------------------------------------------------------------------- SNS and KMS


def test_kms_key_policy_and_rotation(local_plan):
    account = account_of(local_plan)
    (key,) = planned(local_plan, "aws_kms_key").values()
    assert key["enable_key_rotation"] is True
    policy = json.loads(key["policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert set(statements) == {"AllowAccountAdministration", "AllowCloudWatchAlarmsToUseTheKey"}
    admin = statements["AllowAccountAdministration"]
    assert admin["Principal"] == {"AWS": f"arn:aws:iam::{account}:root"}
    assert admin["Action"] == "kms:*"
    cw = statements["AllowCloudWatchAlarmsToUseTheKey"]
    assert cw["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert sorted(cw["Action"]) == ["kms:Decrypt", "kms:GenerateDataKey*"]
    # SNS's documented statement for CloudWatch: no condition on keys the KMS request may lack.
    assert "Condition" not in cw
    (alias,) = planned(local_plan, "aws_kms_alias").values()
    assert alias["name"] == "alias/vyaparai-cart-migration-sns"


def test_topics_are_encrypted_with_the_created_key(local_plan):
    topics = {}
    for rc in local_plan.resource_changes.values():
        if rc["type"] == "aws_sns_topic":
            topics[rc["index"]] = rc["change"]
    assert {k: c["after"]["name"] for k, c in topics.items()} == {
        "alerts": ALERTS_TOPIC,
        "page": PAGE_TOPIC,
    }
    for change in topics.values():
        # The key ARN is known only after apply; it is never the AWS-managed alias.
        assert change["after_unknown"].get("kms_master_key_id") is True


def test_topic_policy_admits_only_account_and_cloudwatch(local_plan):
    account = account_of(local_plan)
    policies = planned(local_plan, "aws_sns_topic_policy")
    assert set(policies) == {"alerts", "page"}
    for role, p in policies.items():
        topic_arn = local_plan.outputs["sns_topic_arns"][role]
        policy = json.loads(p["policy"])
        statements = {s["Sid"]: s for s in policy["Statement"]}
        assert set(statements) == {"AllowAccountOwnerManagement", "AllowCloudWatchAlarmsToPublish"}
        for s in policy["Statement"]:
            assert s["Effect"] == "Allow"
            assert s["Principal"] != "*" and s["Principal"].get("AWS") != "*"
            assert s["Resource"] == topic_arn
        owner = statements["AllowAccountOwnerManagement"]
        assert owner["Principal"] == {"AWS": f"arn:aws:iam::{account}:root"}
        cw = statements["AllowCloudWatchAlarmsToPublish"]
        assert cw["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
        assert cw["Action"] == "SNS:Publish"
        # Only the key CloudWatch documents sending: the alarm's ARN, which names the account.
        assert set(cw["Condition"]) == {"ArnLike"}
        assert cw["Condition"]["ArnLike"] == {
            "aws:SourceArn": f"arn:aws:cloudwatch:ap-south-1:{account}:alarm:*"
        }


def test_subscriptions_and_pending_confirmations(local_plan):
    subs = planned(local_plan, "aws_sns_topic_subscription", "email")
    topics = local_plan.outputs["sns_topic_arns"]
    assert {k: (s["protocol"], s["endpoint"], s["topic_arn"]) for k, s in subs.items()} == {
        # Once, on the guide's topic: it receives every alarm, pages included.
        "alerts:oncall@example.com": ("email", "oncall@example.com", topics["alerts"]),
    }
    pending = local_plan.outputs["pending_email_confirmations"]
    assert set(pending) == set(subs)
    for message in pending.values():
        assert "oncall@example.com" in message and "confirm" in message.lower()
    inbox = planned(local_plan, "aws_sns_topic_subscription", "additional")
    assert {k: (s["protocol"], s["topic_arn"]) for k, s in inbox.items()} == {
        "inbox-alerts": ("sqs", topics["alerts"]),
        "inbox-page": ("sqs", topics["page"]),
    }


# --------------------------------------------------------------------------- the function


def test_lambda_function(local_plan):
    (fn,) = planned(local_plan, "aws_lambda_function").values()
    assert fn["function_name"] == FUNCTION
    assert fn["runtime"] == "python3.13"
    assert fn["handler"] == "cart_migration.handler.lambda_handler"
    assert fn["source_code_hash"]
    env = fn["environment"][0]["variables"]
    assert env["CARTS_TABLE"] == "vyaparai-cart-migration-carts"
    assert env["RATE_LIMIT_TABLE"] == "vyaparai-cart-migration-rate-limits"
    assert env["AUDIT_LOG_GROUP"] == "/vyaparai-cart-migration/audit"
    assert env["JWT_ALGORITHM"] == "HS256"
    assert env["JWT_SECRET"] and "JWT_PUBLIC_KEY" not in env
    assert env["LOG_HASH_KEY"]
    assert int(env["RATE_LIMIT_MAX_CALLS"]) == 5
    assert int(env["RATE_LIMIT_WINDOW_SECONDS"]) == 60
    assert int(env["CUSTOMER_CART_TTL_DAYS"]) == 30
    assert float(env["LOG_SAMPLE_RATE"]) == 1.0
    assert env["POWERTOOLS_SERVICE_NAME"]
    rc = next(r for r in local_plan.resource_changes.values() if r["type"] == "aws_lambda_function")
    assert rc["change"]["after_sensitive"]["environment"], "secrets must be sensitive in the plan"


def test_lambda_waits_for_its_log_group(local_plan):
    module = module_config(local_plan, "monitoring", "migration_lambda")
    fn = config_resource(module, "aws_lambda_function.this")
    assert fn["depends_on"] == ["aws_iam_role_policy.this"]
    policy_doc = next(r for r in module["resources"] if r["address"] == "data.aws_iam_policy_document.this")
    assert "var.log_group_arn" in json.dumps(policy_doc["expressions"])
    call = module_config(local_plan, "monitoring")["module_calls"]["migration_lambda"]
    assert "module.log_groups.function_log_group_arn" in call["expressions"]["log_group_arn"]["references"]
    assert not [r for r in module["resources"] if r["type"] == "aws_cloudwatch_log_group"], (
        "the function's log group belongs to the log_groups module only"
    )


def test_tables(local_plan):
    (carts,) = planned(local_plan, "aws_dynamodb_table", "carts").values()
    (rate,) = planned(local_plan, "aws_dynamodb_table", "rate_limit").values()
    assert carts["name"] == "vyaparai-cart-migration-carts"
    assert (carts["hash_key"], carts["range_key"]) == ("customer_id", "store_id")
    assert {a["name"]: a["type"] for a in carts["attribute"]} == {"customer_id": "S", "store_id": "S"}
    assert rate["hash_key"] == "rate_key" and rate["range_key"] is None
    assert {a["name"]: a["type"] for a in rate["attribute"]} == {"rate_key": "S"}
    for table in (carts, rate):
        assert table["billing_mode"] == "PAY_PER_REQUEST"
        assert table["ttl"] == [{"attribute_name": "expires_at", "enabled": True}]
        assert table["server_side_encryption"][0]["enabled"] is True
    assert carts["point_in_time_recovery"][0]["enabled"] is True


def test_the_plan_has_the_defined_tables_only(local_plan):
    tables = {rc["name"] for rc in local_plan.resource_changes.values() if rc["type"] == "aws_dynamodb_table"}
    assert tables == set(table_definitions())


@pytest.mark.parametrize("key", sorted(table_definitions()))
def test_planned_tables_equal_the_one_definition(local_plan, key):
    """modules/migration_lambda/tables.json, which create_tables reads too, is what the plan creates."""
    definition = table_definitions()[key]
    (table,) = planned(local_plan, "aws_dynamodb_table", key).values()
    assert (table["hash_key"], table["range_key"]) == (definition["hash_key"], definition["range_key"])
    assert {a["name"]: a["type"] for a in table["attribute"]} == definition["attributes"]
    assert table["ttl"] == [{"attribute_name": definition["ttl_attribute"], "enabled": True}]
    indexes = [
        {
            "name": index["name"],
            "hash_key": index["hash_key"],
            "range_key": index.get("range_key"),
            "projection_type": index["projection_type"],
            "non_key_attributes": index.get("non_key_attributes"),
        }
        for index in definition["global_secondary_indexes"]
    ]
    planned_indexes = [
        {
            field: index.get(field)
            for field in ("name", "hash_key", "range_key", "projection_type", "non_key_attributes")
        }
        for index in table["global_secondary_index"]
    ]
    assert planned_indexes == indexes
    assert table["billing_mode"] == "PAY_PER_REQUEST"


def test_lambda_role_reaches_only_its_tables_and_log_groups(local_plan):
    account = account_of(local_plan)
    (role,) = planned(local_plan, "aws_iam_role").values()
    trust = json.loads(role["assume_role_policy"])
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "lambda.amazonaws.com"}]
    (inline,) = planned(local_plan, "aws_iam_role_policy").values()
    statements = {s["Sid"]: s for s in json.loads(inline["policy"])["Statement"]}
    assert set(statements) == {"CartsTable", "RateLimitTable", "IdempotencyTable", "OwnLogGroups"}
    as_list = lambda value: value if isinstance(value, list) else [value]  # noqa: E731
    table_arn = lambda name: f"arn:aws:dynamodb:ap-south-1:{account}:table/{name}"  # noqa: E731
    # Exactly the calls the function makes, each on the one table it makes them on.
    carts = statements["CartsTable"]
    assert sorted(as_list(carts["Action"])) == sorted(
        [
            "dynamodb:BatchGetItem",
            "dynamodb:Query",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
            "dynamodb:ConditionCheckItem",
        ]
    )
    assert as_list(carts["Resource"]) == [table_arn("vyaparai-cart-migration-carts")]
    rate = statements["RateLimitTable"]
    assert as_list(rate["Action"]) == ["dynamodb:UpdateItem"]
    assert as_list(rate["Resource"]) == [table_arn("vyaparai-cart-migration-rate-limits")]
    logs = statements["OwnLogGroups"]
    assert sorted(logs["Action"]) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert sorted(logs["Resource"]) == sorted(
        f"arn:aws:logs:ap-south-1:{account}:log-group:{g}:*"
        for g in (f"/aws/lambda/{FUNCTION}", "/vyaparai-cart-migration/audit")
    )
    for s in statements.values():
        assert s["Effect"] == "Allow"
        assert not any("*" in action for action in as_list(s["Action"])), s["Sid"]
        assert "*" not in as_list(s["Resource"])


def test_outputs(local_plan):
    outputs = set(local_plan.output_changes)
    assert {
        "sns_topic_arns",
        "alarm_arns",
        "alarm_names",
        "log_group_names",
        "dashboard_name",
        "metric_namespace",
        "query_definition_ids",
        "kms_key_arn",
        "pending_email_confirmations",
        "metric_filter_names",
        "lambda_function_name",
        "lambda_function_arn",
        "carts_table_name",
        "rate_limit_table_name",
    } <= outputs
    assert local_plan.outputs["metric_namespace"] == NAMESPACE
    assert local_plan.outputs["dashboard_name"] == PREFIX
    assert local_plan.outputs["lambda_function_name"] == FUNCTION
    assert local_plan.outputs["carts_table_name"] == "vyaparai-cart-migration-carts"
    alarms = local_plan.output_changes["alarms"]["after"]
    composites = local_plan.output_changes["composite_alarms"]["after"]
    assert sorted(local_plan.outputs["alarm_names"]) == sorted(
        f"{PREFIX}-{k}" for k in [*alarms, *composites]
    )
    assert all(a["name"] == f"{PREFIX}-{k}" for k, a in alarms.items())


# --------------------------------------------------------------------------- a second environment

SECOND = {
    "function_name": "cart-migration-staging",
    "name_prefix": "staging-cart-migration",
    "alarm_name_prefix": "Staging-CartMigration",
    "metric_namespace": "Staging/CartMigration",
    "page_topic_arn": "arn:aws:sns:ap-south-1:000000000000:existing-pager",
    "kms_master_key_id": "arn:aws:kms:ap-south-1:000000000000:key/11111111-2222-3333-4444-555555555555",
    "runbook_base_url": "https://runbooks.example.com/cart",
    "log_retention_in_days": 14,
    "audit_log_retention_in_days": 365,
    "alarm_overrides": {
        "HighFailureRate": {
            "threshold": 7,
            "evaluation_periods": 3,
            "datapoints_to_alarm": 2,
            "treat_missing_data": "ignore",
        },
        "LatencyGetAllCarts": {"enabled": False},
    },
}


@pytest.fixture(scope="module")
def second_plan(root_tf):
    return root_tf.plan(output=True, tf_vars=dict(SECOND))


def test_second_environment_names_derive_from_prefixes(second_plan):
    alarms = planned(second_plan, "aws_cloudwatch_metric_alarm")
    assert "LatencyGetAllCarts" not in alarms
    assert all(a["alarm_name"] == f"Staging-CartMigration-{k}" for k, a in alarms.items())
    (dashboard,) = planned(second_plan, "aws_cloudwatch_dashboard").values()
    assert dashboard["dashboard_name"] == "Staging-CartMigration"
    assert "SOURCE '/aws/lambda/cart-migration-staging'" in dashboard["dashboard_body"]
    filters = planned(second_plan, "aws_cloudwatch_log_metric_filter")
    for name, f in filters.items():
        assert f["name"] == f"staging-cart-migration-{name}"
        assert f["log_group_name"] == "/aws/lambda/cart-migration-staging"
        assert f["metric_transformation"][0]["namespace"] == "Staging/CartMigration"
    groups = {
        g["name"]: (g["retention_in_days"], (g.get("tags") or {}).get("cart-migration-monitoring:log-group"))
        for n in ("function", "audit")
        for g in planned(second_plan, "aws_cloudwatch_log_group", n).values()
    }
    # create_lambda = false and the function has not logged on the emulator (no group yet): the
    # default creates its group, tagged as the module's, instead of failing on the metric filters.
    # test_existing_function.py shows an existing group left alone.
    assert groups == {
        "/staging-cart-migration/audit": (365, None),
        "/aws/lambda/cart-migration-staging": (14, "created-by-module"),
    }
    queries = planned(second_plan, "aws_cloudwatch_query_definition")
    assert all(q["name"].startswith("staging-cart-migration/") for q in queries.values())
    assert not planned(second_plan, "aws_lambda_function"), "create_lambda defaults to false"


def test_second_environment_uses_given_topic_and_key(second_plan):
    topics = {
        rc["index"]: rc["change"]["after"]
        for rc in second_plan.resource_changes.values()
        if rc["type"] == "aws_sns_topic"
    }
    # The page topic is given, the alerts topic created.
    assert {k: t["name"] for k, t in topics.items()} == {"alerts": "staging-cart-migration-alerts"}
    assert topics["alerts"]["kms_master_key_id"] == SECOND["kms_master_key_id"]
    assert not planned(second_plan, "aws_kms_key")
    assert second_plan.outputs["kms_key_arn"] == SECOND["kms_master_key_id"]
    arns = second_plan.outputs["sns_topic_arns"]
    assert arns["page"] == arns["critical"] == SECOND["page_topic_arn"]
    assert arns["alerts"].endswith(":staging-cart-migration-alerts")
    for key, alarm in planned(second_plan, "aws_cloudwatch_metric_alarm").items():
        expected = [] if is_burn_rate_window(key) else [arns["alerts"]]
        assert (alarm["alarm_actions"] or []) == expected == (alarm["ok_actions"] or []), key
    pages = [
        c
        for c in planned(second_plan, "aws_cloudwatch_composite_alarm", "nested").values()
        if arns["page"] in (c["alarm_actions"] or [])
    ]
    assert pages, "the given page topic receives the pages"


def test_root_module_outputs(second_plan):
    assert {
        "sns_topic_arns",
        "sns_topic_names",
        "alarm_arns",
        "alarm_names",
        "alarms",
        "log_group_names",
        "dashboard_name",
        "dashboard_url",
        "metric_namespace",
        "metric_names",
        "query_definition_ids",
        "query_definition_names",
        "kms_key_arn",
        "pending_email_confirmations",
        "metric_filter_names",
        "lambda_function_name",
        "lambda_function_arn",
        "lambda_role_arn",
        "carts_table_name",
        "rate_limit_table_name",
        "lambda_invoke_arn",
        "api_invoke_url",
        "api_id",
        "api_execution_arn",
        "api_access_log_group_name",
    } <= set(second_plan.output_changes)
    assert second_plan.outputs["api_invoke_url"] is None and second_plan.outputs["lambda_invoke_arn"] is None
    assert second_plan.outputs["metric_namespace"] == "Staging/CartMigration"
    assert second_plan.outputs["lambda_function_name"] is None
    assert second_plan.outputs["pending_email_confirmations"] == {}
    composites = {
        **planned(second_plan, "aws_cloudwatch_composite_alarm"),
        **planned(second_plan, "aws_cloudwatch_composite_alarm", "nested"),
    }
    assert set(second_plan.output_changes["alarm_arns"]["after_unknown"]) == {
        f"Staging-CartMigration-{k}"
        for k in [*planned(second_plan, "aws_cloudwatch_metric_alarm"), *composites]
    }


def test_second_environment_overrides(second_plan):
    alarms = planned(second_plan, "aws_cloudwatch_metric_alarm")
    high = alarms["HighFailureRate"]
    assert (
        high["threshold"],
        high["evaluation_periods"],
        high["datapoints_to_alarm"],
        high["treat_missing_data"],
    ) == (7, 3, 2, "ignore")
    assert "> 7 over 2 of 3 period(s)" in high["alarm_description"]
    assert high["alarm_description"].endswith("Runbook: https://runbooks.example.com/cart/HighFailureRate.md")
    assert alarms["NoSuccessfulMigrations"]["treat_missing_data"] == "breaching"
    assert alarms["HighFailureRate"]["namespace"] == "Staging/CartMigration"


# --------------------------------------------------------------------------- refused input

BAD_VARIABLES = {
    "kms_master_key_id": (
        "alias/aws/sns",
        "alarms cannot publish to a topic encrypted with the AWS-managed key",
    ),
    "alert_emails": (["not-an-email"], "must be an email address"),
    "log_retention_in_days": (31, "must be one of the values CloudWatch Logs allows"),
    "alarm_overrides": ({"HighFailureRate": {"threshold": -1}}, "threshold must not be negative"),
    "name_prefix": ("Bad Prefix!", "name_prefix must be 1 to 40 characters"),
}


@pytest.fixture(scope="module")
def bad_variables_error(root_tf, plan_error) -> str:
    """One plan with every bad value: Terraform checks each variable on its own and reports each error."""
    tf_vars: dict[str, object] = {"function_name": "fn"}
    tf_vars.update({k: v for k, (v, _) in BAD_VARIABLES.items()})
    return plan_error(root_tf, tf_vars)


def _error_blocks(text: str) -> list[str]:
    return [" ".join(block.split()) for block in text.split("Error: ")[1:]]


@pytest.mark.parametrize("variable", sorted(BAD_VARIABLES))
def test_bad_variable_is_refused_at_plan(bad_variables_error, variable):
    message = BAD_VARIABLES[variable][1]
    blocks = [b for b in _error_blocks(bad_variables_error) if f'variable "{variable}"' in b]
    assert blocks, f"no error for {variable}:\n{bad_variables_error}"
    assert any(message in b for b in blocks), blocks


def test_unknown_metric_and_override_are_refused_at_plan(root_tf, plan_error):
    extra = {"Orphan": dict(SIMPLE_EXTRA_ALARM, metric="NoSuchMetric")}
    error = " ".join(
        plan_error(
            root_tf,
            {
                "function_name": "fn",
                "extra_alarms": extra,
                "alarm_overrides": {"NoSuchAlarm": {"threshold": 1}},
            },
        ).split()
    )
    assert "Alarm(s) name metric(s) the event catalogue lacks: Orphan -> NoSuchMetric" in error
    assert "alarm_overrides names alarm(s) that do not exist: NoSuchAlarm" in error
    assert "Invalid index" not in error


# --------------------------------------------------------------------------- the README's figures


def test_readme_figures_match_the_plan(local_plan):
    """The generated blocks read from a plan (the README's "At a glance": its alarms by what they do and
    `make cost`'s month; docs/alerting.md's burn-rate pairs) are what `make docs-plan` renders from the planned
    example: a change of the alarm set or the SLO windows that leaves them stale fails here."""
    from cartmon.dev import figures

    sources = figures.Sources(plan=local_plan._raw)
    stale = [path.relative_to(ROOT).as_posix() for path, _, _ in figures.stale_documents(sources)]
    assert stale == [], f"stale generated figures in {stale}: run `make docs-plan`"
    wanted = figures.block((ROOT / "README.md").read_text(), "at-a-glance")
    # The renderer counts what the plan holds, not what it was told.
    composites = [
        *planned(local_plan, "aws_cloudwatch_composite_alarm").values(),
        *planned(local_plan, "aws_cloudwatch_composite_alarm", "nested").values(),
    ]
    metric = list(planned(local_plan, "aws_cloudwatch_metric_alarm").values())
    assert f"**{len(composites) + len(metric)} CloudWatch alarms**" in wanted
    queries = planned(local_plan, "aws_cloudwatch_query_definition")
    assert f"{len(queries)} saved Logs Insights queries" in wanted
