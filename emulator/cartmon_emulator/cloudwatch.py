"""CloudWatch alarms evaluated the way CloudWatch does it, on LocalStack's metric store.

LocalStack evaluates an alarm only every EvaluationPeriods x Period seconds and knows neither
percentiles nor metric-math alarms. Here every metric alarm is evaluated on one fixed cadence
(CARTMON_ALARM_EVALUATION_SECONDS; CloudWatch itself evaluates every minute) by
`alarm_evaluation`, over raw samples read from LocalStack's metric database. A state change goes
through SetAlarmState, so history and alarm/OK actions are LocalStack's own.

The emulator's clock can be moved forward (`POST /_cartmon/clock {"advance_seconds": n}`) so a
test can let a 30-minute window pass in a second; `GET /_cartmon/clock` reads it.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading

from localstack.aws.api.cloudwatch import DashboardNotFoundError
from localstack.aws.connect import connect_to
from localstack.http import Request, Response
from localstack.services.cloudwatch.models import LocalStackMetricAlarm, cloudwatch_stores
from localstack.services.cloudwatch.provider_v2 import CloudwatchProvider
from localstack.services.edge import ROUTER

from cartmon_emulator.clock import CLOCK
from cartmon_emulator.engines import alarm_evaluation

LOG = logging.getLogger(__name__)
EVALUATION_SECONDS = float(os.environ.get("CARTMON_ALARM_EVALUATION_SECONDS", "60"))
CLOCK_PATH = "/_cartmon/clock"


class FixedCadenceAlarmEvaluator:
    """Drop-in for LocalStack's AlarmScheduler: same methods, one loop for all alarms."""

    def __init__(self, provider: CartmonCloudwatchProvider, interval_seconds: float):
        self.provider = provider
        self.interval_seconds = interval_seconds
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="cartmon-alarm-evaluator", daemon=True)
        self._thread.start()

    def shutdown(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(10)

    def schedule_metric_alarm(self, alarm_arn: str) -> None:
        # A new or changed alarm is evaluated at once rather than a full cadence later.
        self._wake.set()

    def delete_scheduler_for_alarm(self, alarm_arn: str) -> None:
        """Deleted alarms simply vanish from the store the loop reads."""

    def restart_existing_alarms(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.evaluate_all()
            except Exception:
                LOG.exception("alarm evaluation round failed")
            self._wake.wait(self.interval_seconds)
            self._wake.clear()

    def evaluate_all(self) -> None:
        now = CLOCK.now()
        for account_id, regions in list(cloudwatch_stores.items()):
            for region, store in list(regions.items()):
                for alarm in list(store.alarms.values()):
                    if isinstance(alarm, LocalStackMetricAlarm):
                        self._evaluate(account_id, region, dict(alarm.alarm), now)

    def _evaluate(self, account_id: str, region: str, alarm: dict, now: float) -> None:
        def fetch(metric: dict, start: float, end: float) -> list[tuple[float, float]]:
            return self.provider.raw_samples(account_id, region, metric, start, end)

        outcome = alarm_evaluation.evaluate_metric_alarm(alarm, fetch, now)
        if outcome.state is None or outcome.state == alarm["StateValue"]:
            return
        cloudwatch = connect_to(aws_access_key_id=account_id, region_name=region).cloudwatch
        cloudwatch.set_alarm_state(
            AlarmName=alarm["AlarmName"],
            StateValue=outcome.state,
            StateReason=outcome.reason[:1023],
            StateReasonData=json.dumps(outcome.reason_data),
        )


class CartmonCloudwatchProvider(CloudwatchProvider):
    def __init__(self):
        super().__init__()
        self.alarm_scheduler = FixedCadenceAlarmEvaluator(self, EVALUATION_SECONDS)

    def on_after_init(self):
        super().on_after_init()
        ROUTER.add(CLOCK_PATH, self._clock_endpoint, methods=["GET", "POST"])

    def _clock_endpoint(self, request: Request) -> Response:
        if request.method == "POST":
            body = request.get_json(force=True, silent=True) or {}
            advance = float(body.get("advance_seconds", 0))
            if advance < 0:
                return Response.for_json({"message": "the clock only moves forward"}, status=400)
            CLOCK.advance(advance)
            # Moving the clock is an evaluation moment: the caller expects the windows to have moved.
            self.alarm_scheduler.evaluate_all()
        return Response.for_json({"now": CLOCK.now(), "offset_seconds": CLOCK.offset_seconds})

    def put_metric_alarm(self, context, request) -> None:
        # CloudWatch keeps an updated alarm's state; LocalStack resets it to INSUFFICIENT_DATA.
        store = self.get_store(context.account_id, context.region)
        previous = next(
            (a.alarm for a in store.alarms.values() if a.alarm.get("AlarmName") == request.get("AlarmName")),
            None,
        )
        super().put_metric_alarm(context, request)
        if previous is not None:
            current = next(
                a.alarm for a in store.alarms.values() if a.alarm.get("AlarmName") == request["AlarmName"]
            )
            for key in (
                "StateValue",
                "StateReason",
                "StateReasonData",
                "StateUpdatedTimestamp",
                "StateTransitionedTimestamp",
            ):
                if key in previous:
                    current[key] = previous[key]

    def get_dashboard(self, context, dashboard_name, **kwargs):
        # CloudWatch answers 404 ResourceNotFound for a missing dashboard (Terraform relies on it to
        # drop a vanished dashboard from its state); LocalStack answers 400 InvalidParameterValue.
        if dashboard_name not in self.get_store(context.account_id, context.region).dashboards:
            raise DashboardNotFoundError(f"Dashboard {dashboard_name} does not exist")
        return super().get_dashboard(context, dashboard_name, **kwargs)

    def raw_samples(
        self, account_id: str, region: str, metric: dict, start: float, end: float
    ) -> list[tuple[float, float]]:
        database = self.cloudwatch_database
        dimensions = database._get_ordered_dimensions_with_separator(
            [dict(d) for d in metric.get("Dimensions") or []]
        )
        query = (
            f"SELECT timestamp, value FROM {database.TABLE_SINGLE_METRICS} "
            "WHERE account_id = ? AND region = ? AND namespace = ? AND metric_name = ? "
            "AND timestamp >= ? AND timestamp < ? AND "
            + ("dimensions = ?" if dimensions else "dimensions IS NULL")
        )
        parameters = [account_id, region, metric.get("Namespace"), metric["MetricName"], start, end]
        if dimensions:
            parameters.append(dimensions)
        with database.DATABASE_LOCK, sqlite3.connect(database.METRICS_DB_READ_ONLY, uri=True) as connection:
            rows = connection.execute(query, parameters).fetchall()
        return [(float(timestamp), float(value)) for timestamp, value in rows]
