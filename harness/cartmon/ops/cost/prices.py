"""Unit prices (USD, ap-south-1 where found), each with its source, and the AWS always-free allowances."""

from __future__ import annotations

from typing import Any

REGION = "ap-south-1"
REGION_NAME = "Asia Pacific (Mumbai)"
PRICES_CHECKED = "2026-11-28"
HOURS_PER_MONTH = 730  # AWS's month
DAYS_PER_MONTH = HOURS_PER_MONTH / 24
GB = 1024**3  # AWS bills data in GB of 2^30 bytes
LOG_EVENT_METADATA_BYTES = 26  # stored per archived log event (CloudWatch pricing page)

_CW_PAGE = "https://aws.amazon.com/cloudwatch/pricing/"
_SNS_PAGE = "https://aws.amazon.com/sns/pricing/"
_LAMBDA_PAGE = "https://aws.amazon.com/lambda/pricing/"
_DDB_PAGE = "https://aws.amazon.com/dynamodb/pricing/on-demand/"
_KMS_PAGE = "https://aws.amazon.com/kms/pricing/"
# Mumbai on-demand prices read from the AWS Price List API (location "Asia Pacific (Mumbai)",
# usage types APS3-*), as quoted in a public repository's cost script dated 17 Sep 2026; not
# checked against the live price list.
_PRICE_LIST = "AWS Price List API, Asia Pacific (Mumbai), usage type {} (quoted 2026-09-17)"

# One entry per unit price: USD per `unit`, its source, and whether the Mumbai price was found
# ("assumed": the US East list price, Mumbai's not found). Checked on PRICES_CHECKED.
PRICES: dict[str, dict[str, Any]] = {
    "alarm_standard": {
        "usd": 0.10,
        "unit": "alarm metric-month",
        "assumed": True,
        "source": f"{_CW_PAGE} (US East: standard resolution, $0.10 per alarm metric)",
    },
    "alarm_high_resolution": {
        "usd": 0.30,
        "unit": "alarm metric-month",
        "assumed": True,
        "source": f"{_CW_PAGE} (US East: high resolution, $0.30 per alarm metric)",
    },
    "alarm_composite": {
        "usd": 0.50,
        "unit": "alarm-month",
        "assumed": True,
        "source": f"{_CW_PAGE} (US East: composite alarm, $0.50 per alarm)",
    },
    "custom_metric": {
        "usd": 0.30,
        "unit": "metric-month",
        "assumed": True,
        "source": f"{_CW_PAGE} (US East: $0.30 per metric for the first 10,000)",
    },
    "dashboard": {
        "usd": 3.00,
        "unit": "dashboard-month",
        "assumed": True,
        "source": f"{_CW_PAGE} (US East: $3.00 per dashboard; first 3 free, up to 50 metrics each)",
    },
    "log_ingestion": {
        "usd": 0.67,
        "unit": "GB ingested",
        "assumed": False,
        "source": _PRICE_LIST.format("APS3-DataProcessing-Bytes") + "; US East is $0.50",
    },
    "log_storage": {
        "usd": 0.03,
        "unit": "GB-month stored (compressed)",
        "assumed": True,
        "source": f"{_CW_PAGE} (US East: $0.03 per GB archived, gzip-compressed, 26 bytes per event)",
    },
    "logs_insights": {
        "usd": 0.005,
        "unit": "GB scanned",
        "assumed": True,
        "source": f"{_CW_PAGE} (US East: $0.005 per GB of data scanned)",
    },
    "sns_publish": {
        "usd": 0.50 / 1_000_000,
        "unit": "request",
        "assumed": True,
        "source": f"{_SNS_PAGE} (US East: $0.50 per million requests; first 1 million free)",
    },
    "sns_email": {
        "usd": 2.00 / 100_000,
        "unit": "email notification",
        "assumed": True,
        "source": f"{_SNS_PAGE} (US East: $2.00 per 100,000 email notifications; first 1,000 free)",
    },
    "sns_http": {
        "usd": 0.60 / 1_000_000,
        "unit": "HTTP(S) notification",
        "assumed": True,
        "source": f"{_SNS_PAGE} (US East: $0.60 per million HTTP/S notifications; first 100,000 free)",
    },
    "kms_key": {
        "usd": 1.00,
        "unit": "key-month",
        "assumed": False,
        "source": _PRICE_LIST.format("ap-south-1-KMS-Keys") + f"; {_KMS_PAGE}",
    },
    "kms_request": {
        "usd": 0.03 / 10_000,
        "unit": "request",
        "assumed": False,
        "source": _PRICE_LIST.format("ap-south-1-KMS-Requests") + " ($0.03 per 10,000; 20,000 free)",
    },
    "dynamodb_write": {
        "usd": 0.71 / 1_000_000,
        "unit": "write request unit",
        "assumed": False,
        "source": _PRICE_LIST.format("APS3-WriteRequestUnits") + f" ($0.71 per million); {_DDB_PAGE}",
    },
    "dynamodb_read": {
        "usd": 0.1425 / 1_000_000,
        "unit": "read request unit",
        "assumed": False,
        "source": _PRICE_LIST.format("APS3-ReadRequestUnits") + " ($0.1425 per million)",
    },
    "dynamodb_storage": {
        "usd": 0.285,
        "unit": "GB-month",
        "assumed": False,
        "source": _PRICE_LIST.format("APS3-TimedStorage-ByteHrs") + " (first 25 GB free)",
    },
    "dynamodb_pitr": {
        "usd": 0.20,
        "unit": "GB-month",
        "assumed": True,
        "source": f"{_DDB_PAGE} (US East: continuous backups, $0.20 per GB-month)",
    },
    "lambda_request": {
        "usd": 0.20 / 1_000_000,
        "unit": "request",
        "assumed": False,
        "source": _PRICE_LIST.format("APS3-Request")
        + f" ($0.20 per million; 1 million free); {_LAMBDA_PAGE}",
    },
    "lambda_gb_second_x86": {
        "usd": 0.0000166667,
        "unit": "GB-second",
        "assumed": True,
        "source": f"{_LAMBDA_PAGE} (US East: x86, first 6 billion GB-s; 400,000 GB-s free)",
    },
    "lambda_gb_second_arm": {
        "usd": 0.0000133334,
        "unit": "GB-second",
        "assumed": False,
        "source": _PRICE_LIST.format("APS3-Lambda-GB-Second-ARM") + " (first 7.5 billion GB-s; 400,000 free)",
    },
}

# AWS always-free allowances per month (per account, shared by everything in it).
FREE_TIER = {
    "alarm_standard": 10,  # standard resolution alarm metrics
    "custom_metric": 10,
    "dashboard": 3,
    "logs_gb": 5,  # ingestion, archive storage and Insights scans together
    "sns_publish": 1_000_000,
    "sns_email": 1_000,
    "sns_http": 100_000,
    "kms_request": 20_000,
    "dynamodb_storage": 25,
    "lambda_request": 1_000_000,
    "lambda_gb_second": 400_000,
}
