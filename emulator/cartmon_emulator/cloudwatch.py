"""CloudWatch as CloudWatch behaves, on LocalStack's provider and metric store.

* Alarms (metric and composite) are evaluated by ``alarm_runtime`` on the emulator's clock; the
  engines are ``engines.alarm_evaluation`` and ``engines.composite_alarms``.
* PutCompositeAlarm checks its rule as CloudWatch does (syntax, alarms that exist, suppressor periods);
  DeleteAlarms refuses to delete an alarm a composite alarm depends on; PutMetricAlarm and
  PutCompositeAlarm keep the state of an alarm they update.
* GetMetricData with metric math expressions is served by ``engines.metric_math`` (LocalStack fails
  with InternalError 'MetricStat'), and with extended statistics (p99, tm90, ...) by
  ``engines.statistics``; other requests stay LocalStack's.
* PutMetricData without a Timestamp is stamped with the emulator's clock.
* DescribeAlarms combines its filters and honours AlarmTypes, ChildrenOfAlarmName, ParentsOfAlarmName.
* Alarm actions are accepted whatever their target, as CloudWatch accepts them; SNS actions publish,
  the others (Lambda, EC2, Systems Manager, ...) are recorded at ``/_cartmon/deliveries``
  (``deliveries``), Lambda ones with the event CloudWatch would invoke the function with.

The emulator's clock can be moved forward (``POST /_cartmon/clock {"advance_seconds": n}``) so a test
can let a 30-minute window pass in a second; ``GET /_cartmon/clock`` reads it.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import sqlite3

from localstack.aws.api import RequestContext, handler
from localstack.aws.api.cloudwatch import (
    DashboardNotFoundError,
    DescribeAlarmHistoryOutput,
    DescribeAlarmsOutput,
    GetMetricDataOutput,
    InvalidNextToken,
    InvalidParameterValueException,
    ResourceNotFound,
)
from localstack.http import Request, Response
from localstack.services.cloudwatch.models import LocalStackCompositeAlarm
from localstack.services.cloudwatch.provider_v2 import _STORE_LOCK, CloudwatchProvider, ValidationException
from localstack.services.edge import ROUTER
from localstack.utils.aws import arns

from cartmon_emulator.alarm_runtime import AlarmRuntime, epoch_seconds, find_alarm, parsed_rule
from cartmon_emulator.clock import CLOCK
from cartmon_emulator.engines import composite_alarms, metric_math
from cartmon_emulator.engines.statistics import SIMPLE_STATISTICS, StatisticSet, Unsupported, parse_statistic

LOG = logging.getLogger(__name__)
EVALUATION_SECONDS = float(os.environ.get("CARTMON_ALARM_EVALUATION_SECONDS", "60"))
CLOCK_PATH = "/_cartmon/clock"
_KEPT_STATE_FIELDS = (
    "StateValue",
    "StateReason",
    "StateReasonData",
    "StateUpdatedTimestamp",
    "StateTransitionedTimestamp",
)


def _is_composite(alarm) -> bool:
    return isinstance(alarm, LocalStackCompositeAlarm)


class CartmonCloudwatchProvider(CloudwatchProvider):
    def __init__(self):
        super().__init__()
        self.alarm_scheduler = AlarmRuntime(self, EVALUATION_SECONDS)

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

    # alarms -----------------------------------------------------------------------------------------

    def _existing(self, context: RequestContext, name: str):
        store = self.get_store(context.account_id, context.region)
        return next((a.alarm for a in store.alarms.values() if a.alarm.get("AlarmName") == name), None)

    def _keep_state(self, context: RequestContext, name: str, previous: dict | None) -> None:
        # CloudWatch keeps an updated alarm's state; LocalStack resets it to INSUFFICIENT_DATA.
        current = self._existing(context, name)
        if current is None:
            return
        moment = datetime.datetime.fromtimestamp(CLOCK.now(), datetime.UTC)
        current["AlarmConfigurationUpdatedTimestamp"] = moment  # the emulator's clock, not wall time
        if previous is None:
            current["StateUpdatedTimestamp"] = current["StateTransitionedTimestamp"] = moment
            return
        for key in _KEPT_STATE_FIELDS:
            if key in previous:
                current[key] = previous[key]
            else:
                current.pop(key, None)

    def put_metric_alarm(self, context, request) -> None:
        previous = self._existing(context, request.get("AlarmName"))
        super().put_metric_alarm(context, request)
        self._keep_state(context, request["AlarmName"], previous)

    @handler("PutCompositeAlarm", expand=False)
    def put_composite_alarm(self, context: RequestContext, request) -> None:
        name, rule_text = request.get("AlarmName"), request.get("AlarmRule")
        if not isinstance(rule_text, str) or rule_text != rule_text.strip() or not rule_text:
            raise ValidationException("AlarmRule must not contain leading or trailing whitespace or be null")
        try:
            rule = parsed_rule(rule_text)
        except composite_alarms.InvalidAlarmRule as error:
            raise ValidationException(str(error)) from None
        store = self.get_store(context.account_id, context.region)
        own_arn = arns.cloudwatch_alarm_arn(name, account_id=context.account_id, region_name=context.region)
        with _STORE_LOCK:
            missing = [r for r in rule.references if find_alarm(store, r) is None]
            if missing:
                raise ValidationException(
                    f"Could not save the composite alarm as alarms [{', '.join(missing)}] in the alarm rule do not exist"
                )
            if any(r in (name, own_arn) for r in rule.references) or self._depends_on(store, rule, own_arn):
                raise ValidationException(
                    "The alarm rule creates a cycle: a composite alarm cannot depend on itself."
                )
            if request.get("ActionsSuppressor"):
                if find_alarm(store, request["ActionsSuppressor"]) is None:
                    raise ValidationException(
                        f"Could not find the actions suppressor {request['ActionsSuppressor']}."
                    )
                for key in ("ActionsSuppressorWaitPeriod", "ActionsSuppressorExtensionPeriod"):
                    if request.get(key) is None:
                        raise ValidationException(f"{key} is required when ActionsSuppressor is specified.")
            previous = self._existing(context, name)
            composite = LocalStackCompositeAlarm(context.account_id, context.region, {**request})
            store.alarms[composite.alarm["AlarmArn"]] = composite
            self._set_resource_tags(
                composite.alarm["AlarmArn"], context.account_id, context.region, request.get("Tags", [])
            )
            self._keep_state(context, name, previous)
        self.alarm_scheduler.settle_composites(context.account_id, context.region, CLOCK.now())

    @staticmethod
    def _depends_on(store, rule, target_arn: str, seen: set | None = None) -> bool:
        """Whether a composite alarm referenced by ``rule`` depends (transitively) on ``target_arn``."""
        seen = seen if seen is not None else set()
        for reference in rule.references:
            child = find_alarm(store, reference)
            if child is None or child.alarm["AlarmArn"] in seen:
                continue
            seen.add(child.alarm["AlarmArn"])
            if not isinstance(child, LocalStackCompositeAlarm):
                continue
            child_rule = parsed_rule(child.alarm["AlarmRule"])
            for grandchild in child_rule.references:
                found = find_alarm(store, grandchild)
                if found is not None and found.alarm["AlarmArn"] == target_arn:
                    return True
            if CartmonCloudwatchProvider._depends_on(store, child_rule, target_arn, seen):
                return True
        return False

    def delete_alarms(self, context: RequestContext, alarm_names, **kwargs) -> None:
        store = self.get_store(context.account_id, context.region)
        deleting = set(alarm_names or [])
        with _STORE_LOCK:
            for name in alarm_names or []:
                target = find_alarm(store, name)
                if target is None:
                    continue
                for alarm in store.alarms.values():
                    if (
                        not isinstance(alarm, LocalStackCompositeAlarm)
                        or alarm.alarm["AlarmName"] in deleting
                    ):
                        continue
                    references = parsed_rule(alarm.alarm["AlarmRule"]).references
                    if any(r in (name, target.alarm["AlarmArn"]) for r in references):
                        raise ValidationException(
                            f"Cannot delete {name} as there are composite alarm(s) depending on it."
                        )
            super().delete_alarms(context, alarm_names, **kwargs)

    def describe_alarms(
        self,
        context: RequestContext,
        alarm_names=None,
        alarm_name_prefix=None,
        alarm_types=None,
        children_of_alarm_name=None,
        parents_of_alarm_name=None,
        state_value=None,
        action_prefix=None,
        max_records=None,
        next_token=None,
        **kwargs,
    ) -> DescribeAlarmsOutput:
        """DescribeAlarms as CloudWatch filters it: the filters combine; without AlarmTypes only metric
        alarms are returned; ChildrenOfAlarmName / ParentsOfAlarmName give the family of a composite
        alarm (name, ARN, state and its timestamp only). LocalStack applies one filter and returns both
        kinds whatever AlarmTypes says."""
        store = self.get_store(context.account_id, context.region)
        alarms = sorted(store.alarms.values(), key=lambda a: a.alarm["AlarmName"])
        if children_of_alarm_name or parents_of_alarm_name:
            if children_of_alarm_name and parents_of_alarm_name:
                raise ValidationException(
                    "ChildrenOfAlarmName and ParentsOfAlarmName cannot be used together."
                )
            if alarm_names or alarm_name_prefix or alarm_types or state_value or action_prefix:
                raise ValidationException(
                    "ChildrenOfAlarmName and ParentsOfAlarmName cannot be used with other filters."
                )
            return self._family(store, alarms, children_of_alarm_name, parents_of_alarm_name)
        if alarm_names:
            alarms = [a for a in alarms if a.alarm["AlarmName"] in alarm_names]
        if alarm_name_prefix:
            alarms = [a for a in alarms if a.alarm["AlarmName"].startswith(alarm_name_prefix)]
        if state_value:
            alarms = [a for a in alarms if a.alarm["StateValue"] == state_value]
        if action_prefix:
            keys = ("AlarmActions", "OKActions", "InsufficientDataActions")
            alarms = [
                a
                for a in alarms
                if any(x.startswith(action_prefix) for k in keys for x in a.alarm.get(k) or [])
            ]
        types = set(alarm_types or ["MetricAlarm"])
        selected = [a for a in alarms if "MetricAlarm" in types and not _is_composite(a)]
        selected += [a for a in alarms if "CompositeAlarm" in types and _is_composite(a)]
        output = DescribeAlarmsOutput()
        if max_records or next_token:
            # Metric and composite alarms are paged as one list. Without MaxRecords every alarm is
            # returned (LocalStack's answer; CloudWatch pages by 50), so callers that never page keep working.
            start = int(next_token or 0)
            size = max_records or 50
            if start + size < len(selected):
                output["NextToken"] = str(start + size)
            selected = selected[start : start + size]
        output["MetricAlarms"] = [a.alarm for a in selected if not _is_composite(a)]
        output["CompositeAlarms"] = [a.alarm for a in selected if _is_composite(a)]
        return output

    @staticmethod
    def _family(store, alarms, children_of: str | None, parents_of: str | None) -> DescribeAlarmsOutput:
        if children_of:
            composite = find_alarm(store, children_of)
            if composite is None or not _is_composite(composite):
                return DescribeAlarmsOutput(MetricAlarms=[], CompositeAlarms=[])
            found = [find_alarm(store, r) for r in parsed_rule(composite.alarm["AlarmRule"]).references]
            members = [a for a in alarms if any(a is f for f in found)]
        else:
            child = find_alarm(store, parents_of or "")
            if child is None:
                return DescribeAlarmsOutput(MetricAlarms=[], CompositeAlarms=[])
            names = (child.alarm["AlarmName"], child.alarm["AlarmArn"])
            members = [
                a
                for a in alarms
                if _is_composite(a) and any(r in names for r in parsed_rule(a.alarm["AlarmRule"]).references)
            ]
        rows = [
            (a, {k: a.alarm[k] for k in ("AlarmName", "AlarmArn", "StateValue", "StateUpdatedTimestamp")})
            for a in members
        ]
        return DescribeAlarmsOutput(
            MetricAlarms=[row for a, row in rows if not _is_composite(a)],
            CompositeAlarms=[row for a, row in rows if _is_composite(a)],
        )

    def set_alarm_state(
        self, context: RequestContext, alarm_name, state_value, state_reason, state_reason_data=None, **kwargs
    ) -> None:
        if state_value not in ("OK", "ALARM", "INSUFFICIENT_DATA"):
            raise ValidationException(
                f"1 validation error detected: Value '{state_value}' at 'stateValue' failed to satisfy constraint: "
                "Member must satisfy enum value set: [INSUFFICIENT_DATA, ALARM, OK]"
            )
        reason_data = None
        if state_reason_data:
            try:
                reason_data = json.loads(state_reason_data)
            except ValueError:
                raise InvalidParameterValueException(
                    "TODO: check right error message: Json was not correctly formatted"
                ) from None
        now = CLOCK.now()
        with _STORE_LOCK:
            store = self.get_store(context.account_id, context.region)
            alarm = store.alarms.get(
                arns.cloudwatch_alarm_arn(
                    alarm_name, account_id=context.account_id, region_name=context.region
                )
            )
            if not alarm:
                raise ResourceNotFound()
            if alarm.alarm["StateValue"] == state_value:
                return
            if isinstance(reason_data, dict):
                reason_data["startDate"] = reason_data.get("queryDate")  # as LocalStack records it
                if not isinstance(alarm, LocalStackCompositeAlarm):
                    reason_data["version"] = "1.0"
            self.alarm_scheduler.transition(
                context.account_id, context.region, alarm, state_value, state_reason, reason_data, now
            )
            self.alarm_scheduler.settle_composites(context.account_id, context.region, now)

    def describe_alarm_history(
        self,
        context: RequestContext,
        alarm_name=None,
        alarm_contributor_id=None,
        alarm_types=None,
        history_item_type=None,
        start_date=None,
        end_date=None,
        max_records=None,
        next_token=None,
        scan_by=None,
        **kwargs,
    ) -> DescribeAlarmHistoryOutput:
        """DescribeAlarmHistory as CloudWatch filters it: by alarm name, alarm types (metric alarms
        only when omitted), item type and date range, newest first unless ScanBy says otherwise, paged
        by MaxRecords. Every timestamp is compared as an instant (naive ones are UTC, as the emulator
        clock writes them); LocalStack compares its naive entries with the aware request dates."""
        if start_date and end_date and epoch_seconds(start_date) > epoch_seconds(end_date):
            raise InvalidParameterValueException(
                "The parameter StartDate must be less than the parameter EndDate."
            )
        store = self.get_store(context.account_id, context.region)
        with _STORE_LOCK:
            history = list(store.histories)
        types = set(alarm_types or ["MetricAlarm"])
        history = [h for h in history if h.get("AlarmType", "MetricAlarm") in types]
        if alarm_name:
            history = [h for h in history if h["AlarmName"] == alarm_name]
        if history_item_type:
            history = [h for h in history if h.get("HistoryItemType") == history_item_type]
        if start_date:
            history = [h for h in history if epoch_seconds(h.get("Timestamp")) >= epoch_seconds(start_date)]
        if end_date:
            history = [h for h in history if epoch_seconds(h.get("Timestamp")) <= epoch_seconds(end_date)]
        # sorted() is stable: entries of one instant keep the order they were recorded in
        history = sorted(history, key=lambda h: epoch_seconds(h.get("Timestamp")))
        if scan_by != "TimestampAscending":
            history.reverse()
        try:
            start = int(next_token or 0)
        except ValueError:
            raise InvalidNextToken("The service returned an invalid next token.") from None
        size = max_records or 100
        output = DescribeAlarmHistoryOutput(AlarmHistoryItems=history[start : start + size])
        if start + size < len(history):
            output["NextToken"] = str(start + size)
        return output

    # metric data ------------------------------------------------------------------------------------

    def put_metric_data(self, context: RequestContext, namespace, metric_data=None, **kwargs) -> None:
        stamped = []
        for datum in metric_data or []:
            if datum.get("Timestamp") is None:
                datum = {**datum, "Timestamp": datetime.datetime.fromtimestamp(CLOCK.now(), datetime.UTC)}
            stamped.append(datum)
        return super().put_metric_data(context, namespace, stamped, **kwargs)

    def samples(self, account_id: str, region: str, metric: dict, start: float, end: float) -> list:
        """Every value and statistic set of one metric (exact dimensions; ``Unit`` when given) in [start, end)."""
        database = self.cloudwatch_database
        dimensions = database._get_ordered_dimensions_with_separator(
            [dict(d) for d in metric.get("Dimensions") or []]
        )
        where = (
            "WHERE account_id = ? AND region = ? AND namespace = ? AND metric_name = ? "
            "AND timestamp >= ? AND timestamp < ? AND "
            + ("dimensions = ?" if dimensions else "dimensions IS NULL")
        )
        parameters = [account_id, region, metric.get("Namespace"), metric["MetricName"], start, end]
        if dimensions:
            parameters.append(dimensions)
        if metric.get("Unit"):
            # Data published without a unit has the unit "None" in CloudWatch.
            where += " AND COALESCE(unit, 'None') = ?"
            parameters.append(metric["Unit"])
        with database.DATABASE_LOCK, sqlite3.connect(database.METRICS_DB_READ_ONLY, uri=True) as connection:
            singles = connection.execute(
                f"SELECT timestamp, value FROM {database.TABLE_SINGLE_METRICS} {where}", parameters
            ).fetchall()
            sets = connection.execute(
                f"SELECT timestamp, sample_count, sum, min, max FROM {database.TABLE_AGGREGATED_METRICS} {where}",
                parameters,
            ).fetchall()
        out: list = [(float(t), float(v)) for t, v in singles if v is not None]
        out += [
            (float(t), StatisticSet(float(c), float(s), float(lo), float(hi)))
            for t, c, s, lo, hi in sets
            if None not in (c, s, lo, hi)
        ]
        return out

    def get_metric_data(self, context: RequestContext, metric_data_queries, start_time, end_time, **kwargs):
        # LocalStack computes only the simple statistics; percentiles and the other extended ones
        # (p99, tm90, wm90, tc90, ts90, PR(..), IQM) are served with the alarm evaluator's engine.
        extended = any(
            query.get("MetricStat") and query["MetricStat"].get("Stat") not in SIMPLE_STATISTICS
            for query in metric_data_queries
        )
        if not extended and not any(query.get("Expression") for query in metric_data_queries):
            return super().get_metric_data(context, metric_data_queries, start_time, end_time, **kwargs)
        return self._metric_math_data(
            context, metric_data_queries, start_time, end_time, kwargs.get("scan_by")
        )

    def _metric_math_data(self, context, queries, start_time, end_time, scan_by) -> GetMetricDataOutput:
        """GetMetricData with expressions or extended statistics: every MetricStat aggregated per period
        with ``engines.statistics`` (raw values and statistic sets, as the alarm evaluator does), then
        metric math."""
        periods = {q["MetricStat"]["Period"] for q in queries if q.get("MetricStat")}
        periods |= {q["Period"] for q in queries if q.get("Expression") and q.get("Period")}
        if len(periods) != 1:
            raise ValidationException(
                "The emulator evaluates metric math and extended statistics only over queries that share one period "
                f"(found {sorted(periods) or 'none'})."
            )
        period = periods.pop()
        start, end = int(start_time.timestamp()), int(end_time.timestamp())
        if start >= end:
            raise InvalidParameterValueException(
                "The parameter StartTime must be less than the parameter EndTime."
            )
        size = -(-(end - start) // period)
        series: dict[str, metric_math.TimeSeries] = {}
        expressions: dict[str, tuple] = {}
        try:
            for query in queries:
                if query.get("MetricStat"):
                    stat = query["MetricStat"]
                    metric = dict(stat["Metric"])
                    if stat.get("Unit"):
                        metric["Unit"] = stat["Unit"]
                    statistic = parse_statistic(stat["Stat"])
                    buckets: dict[int, tuple[list, list]] = {}
                    for timestamp, value in self.samples(
                        context.account_id, context.region, metric, start, end
                    ):
                        values, sets = buckets.setdefault(int((timestamp - start) // period), ([], []))
                        (sets if isinstance(value, StatisticSet) else values).append(value)
                    computed = {i: statistic.compute_period(*vs)[0] for i, vs in buckets.items()}
                    series[query["Id"]] = metric_math.TimeSeries(
                        {i: v for i, v in sorted(computed.items()) if v is not None}
                    )
                else:
                    expressions[query["Id"]] = metric_math.parse_expression(query["Expression"])
            evaluator = metric_math.Evaluator(size, period, series, expressions)
            results = []
            for query in queries:
                if query.get("ReturnData") is False:
                    continue
                value = evaluator.resolve(query["Id"])
                if isinstance(value, metric_math.Scalar):
                    points = {} if value.value is None else {i: value.value for i in range(size)}
                elif isinstance(value, metric_math.TimeSeries):
                    points = value.points
                else:
                    raise Unsupported(f"the expression {query['Id']!r} returns several time series")
                indexes = sorted(points, reverse=scan_by != "TimestampAscending")
                results.append(
                    {
                        "Id": query["Id"],
                        # the default label of a metric is its name (LocalStack's and CloudWatch's answer)
                        "Label": query.get("Label")
                        or (
                            query["MetricStat"]["Metric"]["MetricName"]
                            if query.get("MetricStat")
                            else query["Id"]
                        ),
                        "StatusCode": "Complete",
                        "Timestamps": [
                            datetime.datetime.fromtimestamp(start + i * period, datetime.UTC) for i in indexes
                        ],
                        "Values": [float(points[i]) for i in indexes],
                    }
                )
        except Unsupported as error:
            raise ValidationException(f"The emulator cannot evaluate this query: {error}") from None
        return GetMetricDataOutput(MetricDataResults=results, Messages=[])

    # dashboards -------------------------------------------------------------------------------------

    def get_dashboard(self, context, dashboard_name, **kwargs):
        # CloudWatch answers 404 ResourceNotFound for a missing dashboard (Terraform relies on it to
        # drop a vanished dashboard from its state); LocalStack answers 400 InvalidParameterValue.
        if dashboard_name not in self.get_store(context.account_id, context.region).dashboards:
            raise DashboardNotFoundError(f"Dashboard {dashboard_name} does not exist")
        return super().get_dashboard(context, dashboard_name, **kwargs)
