"""Log classes and data protection policies of CloudWatch Logs, mixed into ``logs.CartmonLogsProvider``.

Log classes ("Log classes", https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch_Logs_Log_Classes.html):
CreateLogGroup keeps ``logGroupClass`` (LocalStack answers STANDARD whatever was asked, so a group
created INFREQUENT_ACCESS drifts on every terraform plan) and DescribeLogGroups/ListLogGroups return
it. A group in the Infrequent Access class does not support metric filters, subscription filters
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Subscriptions.html), data protection or
Live Tail, and its Logs Insights queries cannot use ``pattern``, ``diff``, ``filterIndex`` or ``unmask``
(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData_Classes.html): those
requests are refused with InvalidParameterException (the wording is the emulator's).

Data protection (PutDataProtectionPolicy, GetDataProtectionPolicy, DeleteDataProtectionPolicy;
https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutDataProtectionPolicy.html):
the document is validated by ``engines.data_protection``; events are judged when they are ingested
(events ingested before the policy stay as they were); GetLogEvents, FilterLogEvents and Logs
Insights results show what the policy finds as asterisks, unless the caller asks ``unmask=true``
(GetLogEvents, FilterLogEvents) or the query uses ``unmask`` (Insights). AWS lets only a principal
with ``logs:Unmask`` do so; the emulator, like LocalStack's community edition, enforces no IAM.
When the Audit statement names a CloudWatch Logs findings destination, each event with findings
adds one finding record to that log group.
"""

from __future__ import annotations

import json
import re
import threading
import time

from localstack.aws.api import RequestContext, handler
from localstack.aws.api.logs import (
    DescribeLogGroupsResponse,
    GetDataProtectionPolicyResponse,
    InvalidParameterException,
    PutDataProtectionPolicyResponse,
    ResourceNotFoundException,
)
from localstack.services.logs.models import get_moto_logs_backend
from localstack.services.moto import call_moto
from localstack.services.stores import AccountRegionBundle, BaseStore, LocalAttribute
from localstack.utils.aws import arns

from cartmon_emulator.clock import CLOCK
from cartmon_emulator.engines import data_protection

LOG_GROUP_CLASSES = ("STANDARD", "INFREQUENT_ACCESS", "DELIVERY")
INFREQUENT_ACCESS = "INFREQUENT_ACCESS"
# Logs Insights commands a group in the Infrequent Access class does not run.
STANDARD_ONLY_QUERY_COMMANDS = re.compile(r"(?:^|\|)\s*(pattern|diff|filterIndex|unmask)\b|\bunmask\s*\(")
UNMASK_IN_QUERY = re.compile(r"(?:^|\|)\s*unmask\b|\bunmask\s*\(")
FINDINGS_STREAM = "data-protection-findings"


class ProtectionStore(BaseStore):
    log_group_classes: dict[str, str] = LocalAttribute(default=dict)
    # group name -> {"policyDocument", "lastUpdatedTime", "policy"}
    policies: dict[str, dict] = LocalAttribute(default=dict)
    # group name -> ACTIVATED | DELETED (DescribeLogGroups' dataProtectionStatus)
    statuses: dict[str, str] = LocalAttribute(default=dict)
    # (group, stream, timestamp, message) -> the message as masked at ingestion
    masked: dict[tuple, str] = LocalAttribute(default=dict)


protection_stores = AccountRegionBundle("logs", ProtectionStore)


def group_name_of(identifier: str) -> str:
    """A log group identifier is its name or its ARN (with or without the trailing ``:*``)."""
    if identifier.startswith("arn:"):
        return identifier.split(":log-group:", 1)[-1].removesuffix(":*")
    return identifier


def _not_on_infrequent_access(feature: str, group: str) -> InvalidParameterException:
    return InvalidParameterException(
        f"{feature} is not supported for log group {group}: its log class is INFREQUENT_ACCESS "
        "(https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatch_Logs_Log_Classes.html)."
    )


class LogClassesAndDataProtection:
    _protection_lock = threading.RLock()

    @staticmethod
    def _protection(context: RequestContext) -> ProtectionStore:
        return protection_stores[context.account_id][context.region]

    def log_group_class(self, context: RequestContext, group: str) -> str:
        return self._protection(context).log_group_classes.get(group, "STANDARD")

    def refuse_on_infrequent_access(self, context: RequestContext, group: str, feature: str) -> None:
        if self.log_group_class(context, group) == INFREQUENT_ACCESS:
            raise _not_on_infrequent_access(feature, group)

    def refuse_query_on_infrequent_access(
        self, context: RequestContext, groups: list[str], query: str
    ) -> None:
        command = STANDARD_ONLY_QUERY_COMMANDS.search(query)
        if not command:
            return
        for group in groups:
            if self.log_group_class(context, group) == INFREQUENT_ACCESS:
                raise _not_on_infrequent_access(f"The query command {command.group(1) or 'unmask'}", group)

    # log classes ------------------------------------------------------------------------------

    @handler("CreateLogGroup", expand=False)
    def create_log_group(self, context: RequestContext, request) -> None:
        log_class = request.get("logGroupClass") or "STANDARD"
        if log_class not in LOG_GROUP_CLASSES:
            raise InvalidParameterException(
                f"1 validation error detected: Value '{log_class}' at 'logGroupClass' failed to satisfy "
                f"constraint: Member must satisfy enum value set: [{', '.join(LOG_GROUP_CLASSES)}]"
            )
        super().create_log_group(  # type: ignore[misc]
            context,
            request["logGroupName"],
            kms_key_id=request.get("kmsKeyId"),
            tags=request.get("tags"),
            log_group_class=log_class,
        )
        store = self._protection(context)
        store.log_group_classes[request["logGroupName"]] = log_class
        store.statuses.pop(request["logGroupName"], None)
        store.policies.pop(request["logGroupName"], None)

    def forget_log_group(self, context: RequestContext, group: str) -> None:
        store = self._protection(context)
        with self._protection_lock:
            store.log_group_classes.pop(group, None)
            store.policies.pop(group, None)
            store.statuses.pop(group, None)
            for key in [k for k in store.masked if k[0] == group]:
                del store.masked[key]

    def describe_groups_with_classes(
        self, context: RequestContext, response: DescribeLogGroupsResponse, wanted_class: str | None = None
    ):
        """Each group's class and data protection status; only the groups of ``wanted_class`` when given
        (DescribeLogGroups' logGroupClass filter)."""
        store = self._protection(context)
        groups = []
        for group in response.get("logGroups", []):
            name = group["logGroupName"]
            group["logGroupClass"] = store.log_group_classes.get(name, "STANDARD")
            if name in store.statuses:
                group["dataProtectionStatus"] = store.statuses[name]
            if not wanted_class or group["logGroupClass"] == wanted_class:
                groups.append(group)
        response["logGroups"] = groups
        return response

    @handler("ListLogGroups", expand=False)
    def list_log_groups(self, context: RequestContext, request):
        response = super().list_log_groups(context, request)  # type: ignore[misc]
        store = self._protection(context)
        wanted = request.get("logGroupClass")
        groups = []
        for group in response.get("logGroups", []):
            group["logGroupClass"] = store.log_group_classes.get(group["logGroupName"], "STANDARD")
            if not wanted or group["logGroupClass"] == wanted:
                groups.append(group)
        response["logGroups"] = groups
        return response

    # data protection policies -----------------------------------------------------------------

    def _existing_group(self, context: RequestContext, identifier: str) -> str:
        name = group_name_of(identifier or "")
        if name not in get_moto_logs_backend(context.account_id, context.region).groups:
            raise ResourceNotFoundException("The specified log group does not exist.")
        return name

    @handler("PutDataProtectionPolicy")
    def put_data_protection_policy(
        self, context: RequestContext, log_group_identifier: str, policy_document: str, **kwargs
    ) -> PutDataProtectionPolicyResponse:
        group = self._existing_group(context, log_group_identifier)
        self.refuse_on_infrequent_access(context, group, "Data protection")
        try:
            policy = data_protection.parse_policy(policy_document)
        except data_protection.InvalidPolicy as error:
            raise InvalidParameterException(f"Invalid data protection policy: {error}") from None
        findings_group = data_protection.findings_targets(policy).get("CloudWatchLogs")
        backend = get_moto_logs_backend(context.account_id, context.region)
        if findings_group and findings_group not in backend.groups:
            raise InvalidParameterException(
                f"Invalid data protection policy: the findings destination log group {findings_group} does not exist."
            )
        updated = int(CLOCK.now() * 1000)
        store = self._protection(context)
        with self._protection_lock:
            store.policies[group] = {
                "policyDocument": policy_document,
                "lastUpdatedTime": updated,
                "policy": policy,
            }
            store.statuses[group] = "ACTIVATED"
        return PutDataProtectionPolicyResponse(
            logGroupIdentifier=log_group_identifier, policyDocument=policy_document, lastUpdatedTime=updated
        )

    @handler("GetDataProtectionPolicy")
    def get_data_protection_policy(
        self, context: RequestContext, log_group_identifier: str, **kwargs
    ) -> GetDataProtectionPolicyResponse:
        group = self._existing_group(context, log_group_identifier)
        entry = self._protection(context).policies.get(group)
        if entry is None:
            return GetDataProtectionPolicyResponse(logGroupIdentifier=log_group_identifier)
        return GetDataProtectionPolicyResponse(
            logGroupIdentifier=log_group_identifier,
            policyDocument=entry["policyDocument"],
            lastUpdatedTime=entry["lastUpdatedTime"],
        )

    @handler("DeleteDataProtectionPolicy")
    def delete_data_protection_policy(
        self, context: RequestContext, log_group_identifier: str, **kwargs
    ) -> None:
        group = self._existing_group(context, log_group_identifier)
        store = self._protection(context)
        with self._protection_lock:
            if store.policies.pop(group, None) is None:
                raise ResourceNotFoundException("The specified data protection policy does not exist.")
            store.statuses[group] = "DELETED"

    # masking ----------------------------------------------------------------------------------

    def judge_ingested(
        self, context: RequestContext, group: str, stream: str, log_events: list[dict]
    ) -> None:
        """At ingestion, remember how each event with findings reads masked, and audit the findings."""
        entry = self._protection(context).policies.get(group)
        if entry is None:
            return
        policy = entry["policy"]
        findings_records = []
        for event in log_events:
            findings = data_protection.find(policy, event["message"])
            if not findings:
                continue
            key = (group, stream, event["timestamp"], event["message"])
            self._protection(context).masked[key] = data_protection.mask(event["message"], findings)
            findings_records.append(self._finding_record(context, group, stream, event, policy, findings))
        target = data_protection.findings_targets(policy).get("CloudWatchLogs")
        if findings_records and target:
            self._write_findings(context, target, findings_records)

    @staticmethod
    def _finding_record(context, group, stream, event, policy, findings) -> dict:
        by_identifier: dict[str, list[dict]] = {}
        for finding in findings:
            by_identifier.setdefault(finding.identifier, []).append(
                {"start": finding.start, "end": finding.end}
            )
        return {
            "auditTimestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(CLOCK.now())),
            "resourceArn": arns.log_group_arn(group, context.account_id, context.region),
            "dataProtectionPolicyName": policy.name,
            "logStream": stream,
            "eventTimestamp": event["timestamp"],
            "dataIdentifiers": [
                {"name": name, "count": len(spans), "detections": spans}
                for name, spans in by_identifier.items()
            ],
        }

    @staticmethod
    def _write_findings(context: RequestContext, target: str, records: list[dict]) -> None:
        backend = get_moto_logs_backend(context.account_id, context.region)
        group = backend.groups.get(target)
        if group is None:
            return
        if FINDINGS_STREAM not in group.streams:
            group.create_log_stream(FINDINGS_STREAM)
        now = int(CLOCK.now() * 1000)
        group.streams[FINDINGS_STREAM].put_log_events(
            [{"timestamp": now, "message": json.dumps(r, separators=(",", ":"))} for r in records]
        )

    def shown(self, context: RequestContext, group: str, stream: str, timestamp: int, message: str) -> str:
        """The message as a reader without unmask sees it."""
        return self._protection(context).masked.get((group, stream, timestamp, message), message)

    def masked_events(
        self, context: RequestContext, group: str, events: list[dict], stream: str | None = None
    ):
        store = self._protection(context)
        if not store.masked:
            return events
        for event in events:
            key = (group, stream or event.get("logStreamName"), event.get("timestamp"), event.get("message"))
            if key in store.masked:
                event["message"] = store.masked[key]
        return events

    @handler("GetLogEvents", expand=False)
    def get_log_events(self, context: RequestContext, request):
        response = call_moto(context)
        if not request.get("unmask"):
            group = group_name_of(request.get("logGroupIdentifier") or request.get("logGroupName") or "")
            self.masked_events(
                context, group, response.get("events", []), stream=request.get("logStreamName")
            )
        return response
