"""CloudWatch Logs as CloudWatch defines it, on top of LocalStack's provider.

LocalStack's community provider matches every event against every metric filter of the region
and publishes the value 1 whatever the transformation says; it lacks query definitions and runs
no Logs Insights. This provider applies a filter only to its own log group with the real pattern
language, publishes the transformation's value, unit, dimensions and default value at the
event's time, serves TestMetricFilter, query definitions and Logs Insights queries (listed by
DescribeQueries). FilterLogEvents and subscription filters use the same pattern language
(LocalStack's ``get_pattern_matcher`` hook, and ``subscriptions``); DescribeLogGroups counts metric
filters. LocalStack's own request checks of PutMetricFilter/DeleteMetricFilter are kept, with the
same messages. Subscription filters to Lambda are accepted with CloudWatch Logs' checks; their
batches wait at ``/_cartmon/deliveries`` for a local runtime (``deliveries``).
"""

from __future__ import annotations

import datetime
import re
import threading
import time
import uuid
from collections import defaultdict
from functools import lru_cache

import moto.logs.models as moto_logs_models
from localstack.aws.api import RequestContext, handler
from localstack.aws.api.logs import (
    DeleteQueryDefinitionResponse,
    DescribeLogGroupsResponse,
    DescribeQueriesResponse,
    DescribeQueryDefinitionsResponse,
    GetQueryResultsResponse,
    InvalidParameterException,
    LimitExceededException,
    MalformedQueryException,
    PutQueryDefinitionResponse,
    QueryInfo,
    ResourceNotFoundException,
    StartQueryResponse,
    StopQueryResponse,
    TestMetricFilterResponse,
)
from localstack.aws.connect import connect_to
from localstack.services.logs import provider as stock_logs_provider
from localstack.services.logs.models import get_moto_logs_backend
from localstack.services.logs.provider import LogsProvider
from localstack.services.moto import call_moto
from localstack.services.stores import AccountRegionBundle, BaseStore, LocalAttribute

from cartmon_emulator import subscriptions  # also patches the delivery of subscription filters
from cartmon_emulator.clock import CLOCK
from cartmon_emulator.engines import filter_patterns, insights
from cartmon_emulator.logs_protection import UNMASK_IN_QUERY, LogClassesAndDataProtection


def _emulator_utcnow() -> datetime.datetime:
    """moto's "now" for Logs: the emulator's clock, which tests move forward, not the wall clock.

    PutLogEvents accepts events from 14 days before to 2 hours after now (PutLogEvents API reference);
    measured on the wall clock, events stamped on an advanced emulator clock were dropped silently.
    moto compares naive UTC datetimes.
    """
    return datetime.datetime.fromtimestamp(CLOCK.now(), datetime.UTC).replace(tzinfo=None)


moto_logs_models.utcnow = _emulator_utcnow

MAX_METRIC_DATA_PER_CALL = 1000
LOG_GROUP_NAME_PATTERN = r"[-._\/#A-Za-z0-9]+"


class CartmonLogsStore(BaseStore):
    query_definitions: dict[str, dict] = LocalAttribute(default=dict)
    queries: dict[str, dict] = LocalAttribute(default=dict)


cartmon_logs_stores = AccountRegionBundle("logs", CartmonLogsStore)


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> filter_patterns.Pattern:
    return filter_patterns.compile_pattern(pattern)


def _invalid_pattern(error: Exception) -> InvalidParameterException:
    return InvalidParameterException(str(error))


def _check(parameter: str, value, constraint: str, valid, pattern: str | None = None) -> None:
    """LocalStack's own request checks (moto's ``validate_param``), with the same messages."""
    try:
        ok = bool(valid(value))
    except TypeError:
        ok = False
    if not ok:
        raise InvalidParameterException(
            f"1 validation error detected: Value '{value}' at '{parameter}' failed to satisfy constraint: {constraint}"
        )
    if pattern and value and not re.fullmatch(pattern, value):
        raise InvalidParameterException(
            f"1 validation error detected: Value '{value}' at '{parameter}' failed to satisfy constraint: "
            f"Must match pattern: {pattern}"
        )


def _check_filter_name(filter_name, pattern: str) -> None:
    _check(
        "filterName",
        filter_name,
        "Minimum length of 1. Maximum length of 512.",
        lambda x: 1 <= len(x) <= 512,
        pattern,
    )


def _check_log_group_name(log_group_name) -> None:
    _check(
        "logGroupName", log_group_name, "Minimum length of 1. Maximum length of 512.", lambda x: 1 <= len(x) <= 512,
        LOG_GROUP_NAME_PATTERN,
    )  # fmt: skip


def _event_matcher(pattern_text: str):
    """LocalStack's hook for filter patterns (FilterLogEvents, subscription filters): the real language."""
    pattern = _compiled(pattern_text or "")
    return lambda _pattern, event: pattern.matches(
        event.get("message", "") if isinstance(event, dict) else event
    )


# LocalStack documents `get_pattern_matcher` as the place plugins patch; FilterLogEvents and the
# subscription-filter delivery both look it up at call time.
stock_logs_provider.get_pattern_matcher = _event_matcher


def _minute_of(timestamp_ms: int) -> int:
    return timestamp_ms // 60_000


class CartmonLogsProvider(LogClassesAndDataProtection, LogsProvider):
    def __init__(self):
        super().__init__()
        self._filters_lock = threading.RLock()

    # metric filters --------------------------------------------------------------------------

    @handler("PutMetricFilter", expand=False)
    def put_metric_filter(self, context: RequestContext, request) -> None:
        backend = get_moto_logs_backend(context.account_id, context.region)
        log_group_name = request["logGroupName"]
        _check_filter_name(request.get("filterName"), "[^:*]*")
        _check(
            "filterPattern", request.get("filterPattern"), "Minimum length of 0. Maximum length of 1024.",
            lambda x: 0 <= len(x) <= 1024,
        )  # fmt: skip
        _check_log_group_name(log_group_name)
        _check(
            "metricTransformations", request.get("metricTransformations"), "Fixed number of 1 item.",
            lambda x: len(x) == 1,
        )  # fmt: skip
        if log_group_name not in backend.groups:
            raise ResourceNotFoundException("The specified log group does not exist.")
        self.refuse_on_infrequent_access(context, log_group_name, "Metric filters")
        try:
            pattern = _compiled(request.get("filterPattern", ""))
        except filter_patterns.InvalidFilterPattern as error:
            raise _invalid_pattern(error) from None
        transformations = request["metricTransformations"]
        for transformation in transformations:
            try:
                filter_patterns.validate_transformation(transformation, pattern=pattern)
            except ValueError as error:
                raise InvalidParameterException(str(error)) from None
        with self._filters_lock:
            self._remove_metric_filter(backend, log_group_name, request["filterName"])
            backend.filters.metric_filters.append(
                {
                    "filterName": request["filterName"],
                    "filterPattern": request.get("filterPattern", ""),
                    "logGroupName": log_group_name,
                    "metricTransformations": transformations,
                    "creationTime": int(time.time() * 1000),
                }
            )

    @handler("DeleteMetricFilter")
    def delete_metric_filter(self, context: RequestContext, log_group_name: str, filter_name: str, **kwargs):
        _check_filter_name(filter_name, "[^:*]*$")
        _check_log_group_name(log_group_name)
        backend = get_moto_logs_backend(context.account_id, context.region)
        with self._filters_lock:
            if not self._remove_metric_filter(backend, log_group_name, filter_name):
                raise ResourceNotFoundException("The specified resource does not exist.")

    @handler("DeleteLogGroup")
    def delete_log_group(self, context: RequestContext, log_group_name: str, **kwargs):
        backend = get_moto_logs_backend(context.account_id, context.region)
        call_moto(context)
        self.forget_log_group(context, log_group_name)
        with self._filters_lock:
            backend.filters.metric_filters = [
                f for f in backend.filters.metric_filters if f["logGroupName"] != log_group_name
            ]

    @staticmethod
    def _remove_metric_filter(backend, log_group_name: str, filter_name: str) -> bool:
        before = len(backend.filters.metric_filters)
        backend.filters.metric_filters = [
            f
            for f in backend.filters.metric_filters
            if not (f["logGroupName"] == log_group_name and f["filterName"] == filter_name)
        ]
        return len(backend.filters.metric_filters) != before

    @handler("TestMetricFilter")
    def test_metric_filter(
        self, context: RequestContext, filter_pattern: str, log_event_messages: list[str], **kwargs
    ) -> TestMetricFilterResponse:
        try:
            pattern = _compiled(filter_pattern or "")
        except filter_patterns.InvalidFilterPattern as error:
            raise _invalid_pattern(error) from None
        matches = []
        for number, message in enumerate(log_event_messages):
            extracted = pattern.extract(message)
            if extracted is not None:
                matches.append({"eventNumber": number, "eventMessage": message, "extractedValues": extracted})
        return TestMetricFilterResponse(matches=matches)

    # reading and subscribing with filter patterns -------------------------------------------

    @handler("FilterLogEvents", expand=False)
    def filter_log_events(self, context: RequestContext, request):
        # The matching itself is `_event_matcher` (LocalStack's hook); a bad pattern is refused first.
        try:
            _compiled(request.get("filterPattern") or "")
        except filter_patterns.InvalidFilterPattern as error:
            raise _invalid_pattern(error) from None
        response = call_moto(context)
        if not request.get("unmask"):
            group = request.get("logGroupName") or request.get("logGroupIdentifier") or ""
            self.masked_events(
                context, group.split(":log-group:", 1)[-1].removesuffix(":*"), response.get("events", [])
            )
        return response

    @handler("PutSubscriptionFilter", expand=False)
    def put_subscription_filter(self, context: RequestContext, request):
        """PutSubscriptionFilter with CloudWatch Logs' checks, Lambda destinations included.

        https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutSubscriptionFilter.html :
        two filters per log group (LimitExceededException; updating one by its name is allowed);
        a Lambda function of the same account, whose resource-based policy lets logs.amazonaws.com
        invoke it for this log group (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html#LambdaFunctionExample),
        without roleArn; Kinesis and Firehose destinations with the roleArn CloudWatch Logs assumes
        to deliver (their existence is checked by LocalStack's own patch, with AWS's messages).
        """
        try:
            _compiled(request.get("filterPattern") or "")
        except filter_patterns.InvalidFilterPattern as error:
            raise _invalid_pattern(error) from None
        backend = get_moto_logs_backend(context.account_id, context.region)
        group = backend.groups.get(request["logGroupName"])
        if group is None:
            raise ResourceNotFoundException("The specified log group does not exist.")
        # "Subscription filters are supported only for log groups in the Standard log class."
        # https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions.html
        self.refuse_on_infrequent_access(context, request["logGroupName"], "Subscription filters")
        if request["filterName"] not in group.subscription_filters and len(group.subscription_filters) >= 2:
            raise LimitExceededException("Resource limit exceeded.")
        destination = request.get("destinationArn") or ""
        service = destination.split(":")[2] if destination.count(":") >= 5 else ""
        if service == "lambda":
            if request.get("roleArn"):
                raise InvalidParameterException(
                    "destinationArn for vendor lambda cannot be used with roleArn"
                )
            subscriptions.check_lambda_destination(context, request["logGroupName"], destination)
        elif service in ("kinesis", "firehose") and not request.get("roleArn"):
            noun = "Kinesis stream" if service == "kinesis" else "Firehose stream"
            raise InvalidParameterException(
                f"Could not deliver message to specified {noun}. Ensure that the {noun} exists and is ACTIVE."
            )
        return call_moto(context)

    @handler("DescribeLogGroups", expand=False)
    def describe_log_groups(self, context: RequestContext, request) -> DescribeLogGroupsResponse:
        response = super().describe_log_groups(context, request)
        backend = get_moto_logs_backend(context.account_id, context.region)
        with self._filters_lock:
            counts: dict[str, int] = defaultdict(int)
            for metric_filter in backend.filters.metric_filters:
                counts[metric_filter["logGroupName"]] += 1
        for group in response.get("logGroups", []):
            group["metricFilterCount"] = counts.get(group["logGroupName"], 0)
        return self.describe_groups_with_classes(context, response, request.get("logGroupClass"))

    # ingestion -------------------------------------------------------------------------------

    def put_log_events(
        self, context: RequestContext, log_group_name, log_stream_name, log_events, *args, **kwargs
    ):
        response = call_moto(context)
        self.judge_ingested(context, log_group_name, log_stream_name, log_events)
        backend = get_moto_logs_backend(context.account_id, context.region)
        with self._filters_lock:
            own_filters = [f for f in backend.filters.metric_filters if f["logGroupName"] == log_group_name]
        datums = []
        for metric_filter in own_filters:
            datums += self._datums_for_filter(metric_filter, log_events)
        if datums:
            self._publish(context, datums)
        return response

    @staticmethod
    def _datums_for_filter(
        metric_filter: dict, log_events: list[dict]
    ) -> list[tuple[int, filter_patterns.MetricDatum]]:
        """(timestamp_ms, MetricDatum) pairs: one per matching event and transformation; the default
        value once per minute in which events were ingested but none matched."""
        pattern = _compiled(metric_filter["filterPattern"])
        out: list[tuple[int, filter_patterns.MetricDatum]] = []
        for transformation in metric_filter["metricTransformations"]:
            matched_minutes: set[int] = set()
            unmatched_minutes: dict[int, int] = {}
            for event in log_events:
                if pattern.matches(event["message"]):
                    matched_minutes.add(_minute_of(event["timestamp"]))
                    datum = filter_patterns.evaluate_transformation(pattern, transformation, event["message"])
                    if datum is not None:
                        out.append((event["timestamp"], datum))
                else:
                    unmatched_minutes.setdefault(_minute_of(event["timestamp"]), event["timestamp"])
            if transformation.get("defaultValue") is None:
                continue
            for minute, first_timestamp in unmatched_minutes.items():
                if minute in matched_minutes:
                    continue
                default = filter_patterns.default_datum(transformation)  # None without a defaultValue
                if default is not None:
                    out.append((first_timestamp, default))
        return out

    @staticmethod
    def _publish(context: RequestContext, datums: list[tuple[int, filter_patterns.MetricDatum]]) -> None:
        by_namespace: dict[str, list[dict]] = defaultdict(list)
        for timestamp_ms, datum in datums:
            metric = {"MetricName": datum.name, "Value": float(datum.value), "Timestamp": timestamp_ms / 1000}
            if datum.unit:
                metric["Unit"] = datum.unit
            if datum.dimensions:
                metric["Dimensions"] = [{"Name": k, "Value": str(v)} for k, v in datum.dimensions.items()]
            by_namespace[datum.namespace].append(metric)
        cloudwatch = connect_to(aws_access_key_id=context.account_id, region_name=context.region).cloudwatch
        for namespace, metrics in by_namespace.items():
            for start in range(0, len(metrics), MAX_METRIC_DATA_PER_CALL):
                cloudwatch.put_metric_data(
                    Namespace=namespace, MetricData=metrics[start : start + MAX_METRIC_DATA_PER_CALL]
                )

    # query definitions -----------------------------------------------------------------------

    @handler("PutQueryDefinition", expand=False)
    def put_query_definition(self, context: RequestContext, request) -> PutQueryDefinitionResponse:
        store = cartmon_logs_stores[context.account_id][context.region]
        query_string = request["queryString"]
        try:
            insights.parse_query(query_string)
        except (insights.MalformedQuery, insights.UnsupportedQuery) as error:
            raise InvalidParameterException(f"Invalid query string: {error}") from None
        definition_id = request.get("queryDefinitionId") or str(uuid.uuid4())
        if request.get("queryDefinitionId") and definition_id not in store.query_definitions:
            raise ResourceNotFoundException("The specified query definition does not exist.")
        store.query_definitions[definition_id] = {
            "queryLanguage": request.get("queryLanguage") or "CWLI",
            "queryDefinitionId": definition_id,
            "name": request["name"],
            "queryString": query_string,
            "lastModified": int(time.time() * 1000),
            "logGroupNames": list(request.get("logGroupNames") or []),
        }
        return PutQueryDefinitionResponse(queryDefinitionId=definition_id)

    @handler("DescribeQueryDefinitions", expand=False)
    def describe_query_definitions(
        self, context: RequestContext, request
    ) -> DescribeQueryDefinitionsResponse:
        store = cartmon_logs_stores[context.account_id][context.region]
        prefix = request.get("queryDefinitionNamePrefix") or ""
        definitions = sorted(
            (d for d in store.query_definitions.values() if d["name"].startswith(prefix)),
            key=lambda d: (d["name"], d["queryDefinitionId"]),
        )
        start = int(request.get("nextToken") or 0)
        page_size = request.get("maxResults") or 1000
        page = definitions[start : start + page_size]
        response = DescribeQueryDefinitionsResponse(queryDefinitions=[dict(d) for d in page])
        if start + page_size < len(definitions):
            response["nextToken"] = str(start + page_size)
        return response

    @handler("DeleteQueryDefinition")
    def delete_query_definition(
        self, context: RequestContext, query_definition_id: str, **kwargs
    ) -> DeleteQueryDefinitionResponse:
        store = cartmon_logs_stores[context.account_id][context.region]
        if store.query_definitions.pop(query_definition_id, None) is None:
            raise ResourceNotFoundException("The specified query definition does not exist.")
        return DeleteQueryDefinitionResponse(success=True)

    # Logs Insights ---------------------------------------------------------------------------

    @handler("StartQuery", expand=False)
    def start_query(self, context: RequestContext, request) -> StartQueryResponse:
        backend = get_moto_logs_backend(context.account_id, context.region)
        names = list(request.get("logGroupNames") or [])
        if request.get("logGroupName"):
            names.append(request["logGroupName"])
        names += [
            identifier.rsplit(":log-group:", 1)[-1].removesuffix(":*")
            for identifier in request.get("logGroupIdentifiers") or []
        ]
        if not names:
            raise InvalidParameterException("A log group name or identifier is required.")
        for name in names:
            if name not in backend.groups:
                raise ResourceNotFoundException(f"Log group '{name}' does not exist.")
        self.refuse_query_on_infrequent_access(context, names, request["queryString"])
        # Masked data stays masked unless the query unmasks it (the `unmask` command, logs:Unmask).
        unmasked = bool(UNMASK_IN_QUERY.search(request["queryString"]))
        events = [
            insights.LogEvent(
                timestamp_ms=event.timestamp,
                message=event.message
                if unmasked
                else self.shown(context, name, stream_name, event.timestamp, event.message),
                log_stream=stream_name,
                log_group=name,
                ingestion_time_ms=event.ingestion_time,
                account_id=context.account_id,
            )
            for name in names
            for stream_name, stream in list(backend.groups[name].streams.items())
            for event in list(stream.events)
        ]
        try:
            outcome = insights.execute(
                request["queryString"],
                events,
                start_time=int(request["startTime"]),
                end_time=int(request["endTime"]),
                limit=request.get("limit"),  # None: the query's own limit or 10,000 (CWL_QuerySyntax-Limit)
                include_ptr=True,
            )
        except (insights.MalformedQuery, insights.UnsupportedQuery) as error:
            raise MalformedQueryException(str(error)) from None
        except ValueError as error:
            raise InvalidParameterException(str(error)) from None
        query_id = str(uuid.uuid4())
        store = cartmon_logs_stores[context.account_id][context.region]
        store.queries[query_id] = {
            "status": "Complete",
            "results": outcome.rows,
            "statistics": outcome.statistics,
            "queryString": request["queryString"],
            "logGroupNames": names,
            "createTime": int(time.time() * 1000),
        }
        return StartQueryResponse(queryId=query_id)

    @handler("GetQueryResults")
    def get_query_results(self, context: RequestContext, query_id: str, **kwargs) -> GetQueryResultsResponse:
        store = cartmon_logs_stores[context.account_id][context.region]
        query = store.queries.get(query_id)
        if query is None:
            raise ResourceNotFoundException("The specified query does not exist.")
        return GetQueryResultsResponse(
            queryLanguage="CWLI",
            results=query["results"],
            statistics=query["statistics"],
            status=query["status"],
        )

    @handler("DescribeQueries", expand=False)
    def describe_queries(self, context: RequestContext, request) -> DescribeQueriesResponse:
        """The queries StartQuery ran (newest first), filtered by log group and status as CloudWatch does."""
        store = cartmon_logs_stores[context.account_id][context.region]
        group, status = request.get("logGroupName"), request.get("status")
        queries = [
            QueryInfo(
                queryLanguage="CWLI",
                queryId=query_id,
                queryString=query["queryString"],
                status=query["status"],
                createTime=query["createTime"],
                logGroupName=query["logGroupNames"][0],
            )
            for query_id, query in reversed(list(store.queries.items()))
            if (not group or group in query["logGroupNames"]) and (not status or status == query["status"])
        ]
        limit = request.get("maxResults") or 1000
        return DescribeQueriesResponse(queries=queries[:limit])

    @handler("StopQuery")
    def stop_query(self, context: RequestContext, query_id: str, **kwargs) -> StopQueryResponse:
        store = cartmon_logs_stores[context.account_id][context.region]
        query = store.queries.get(query_id)
        if query is None:
            raise ResourceNotFoundException("The specified query does not exist.")
        # Queries run to completion when they start, so there is never a running one to stop.
        return StopQueryResponse(success=False)
