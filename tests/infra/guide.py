"""The guide's values (../shared/seed, and the setup script's table in ../shared/reference), written
here independently of the HCL: the plan and the apply tests compare the module with them, so a
drift in the module shows up as a failure rather than being copied into the expectation."""

from typing import Any

FUNCTION = "vyaparai-cart-migration"  # examples/local default
NAMESPACE = "VyaparAI/CartMigration"
# The guide subscribes people to `vyaparai-cart-migration-alerts`: it receives every alarm (P1-P3).
ALERTS_TOPIC = "vyaparai-cart-migration-alerts"
CRITICAL_TOPIC = ALERTS_TOPIC  # the guide's name for it
# Beyond the guide: the pages only, for pagers.
PAGE_TOPIC = "vyaparai-cart-migration-alerts-page"
PREFIX = "VyaparAI-CartMigration"

# The guide's alarms (setup-script values; "any throttle" for LambdaThrottles) and its priority matrix.
GUIDE_ALARMS: dict[str, dict[str, Any]] = {
    "HighFailureRate": dict(
        namespace=NAMESPACE,
        metric_name="MigrationFailureCount",
        statistic="Sum",
        period=300,
        evaluation_periods=1,
        comparison_operator="GreaterThanThreshold",
        threshold=5,
        treat_missing_data="notBreaching",
        priority="P1",
        response="Check logs for error patterns",
    ),
    "NoSuccessfulMigrations": dict(
        namespace=NAMESPACE,
        metric_name="MigrationSuccessCount",
        statistic="Sum",
        period=1800,
        evaluation_periods=1,
        comparison_operator="LessThanOrEqualToThreshold",
        threshold=0,
        treat_missing_data="breaching",
        priority="P1",
        response="Verify service health, check Lambda logs",
    ),
    "ExcessiveRateLimiting": dict(
        namespace=NAMESPACE,
        metric_name="RateLimitExceededCount",
        statistic="Sum",
        period=300,
        evaluation_periods=1,
        comparison_operator="GreaterThanThreshold",
        threshold=20,
        treat_missing_data="notBreaching",
        priority="P2",
        response="Review rate limit settings or investigate abuse",
    ),
    "LambdaErrors": dict(
        namespace="AWS/Lambda",
        metric_name="Errors",
        statistic="Sum",
        period=300,
        evaluation_periods=1,
        comparison_operator="GreaterThanThreshold",
        threshold=5,
        treat_missing_data="notBreaching",
        priority="P2",
        response="Check Lambda logs and code errors",
        dimensions={"FunctionName": FUNCTION},
    ),
    "LambdaThrottles": dict(
        namespace="AWS/Lambda",
        metric_name="Throttles",
        statistic="Sum",
        period=300,
        evaluation_periods=1,
        comparison_operator="GreaterThanThreshold",
        threshold=0,
        treat_missing_data="notBreaching",
        priority="P3",
        response="Review Lambda concurrency limits",
        dimensions={"FunctionName": FUNCTION},
    ),
}
DASHBOARD_TITLES = [
    "Pages and tickets",  # the alarm-status widget of the alarms that notify
    "Migration Success vs Failure",
    "Rate Limiting Events",
    "Merge Conflicts & No Guest Carts",
    "Lambda Duration",
    "Total Invocations",
    "Total Errors",
    "Total Throttles",
    "Recent Migration Logs",
]

# The smallest valid entry of `extra_alarms` (and of metric_alarms' `alarms`): tests that refuse one
# field change only that field.
SIMPLE_EXTRA_ALARM = {
    "priority": "P2",
    "summary": "s",
    "response": "r",
    "metric": "MigrationFailureCount",
    "statistic": "Sum",
    "period": 300,
    "evaluation_periods": 1,
    "comparison_operator": "GreaterThanThreshold",
    "threshold": 1,
    "treat_missing_data": "notBreaching",
}
