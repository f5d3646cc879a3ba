"""The stack with every optional feature of the created function on, applied once per session.

The root module with its function's secrets in SSM SecureString parameters under a customer key, the
tables and the environment under that key, the REST API in front of the function, a caller's own API
allowed to invoke it, the log archive to S3, and a data protection policy on both log groups.
tests/infra/test_api_and_secrets.py, tests/infra/test_data_protection_stack.py and
tests/e2e/test_log_archive.py read it through the `feature_stack` fixture (tests/conftest.py): one
apply serves them all, where separate full applies cost the suite about 40 s of CPU more each.
"""

from __future__ import annotations

import json
import uuid

RUN = uuid.uuid4().hex[:8]
PREFIX = f"api-{RUN}"
FUNCTION = f"api-fn-{RUN}"
JWT_PARAMETER = f"/{PREFIX}/jwt-secret"
HASH_PARAMETER = f"/{PREFIX}/log-hash-key"
JWT_SECRET = "a-shared-secret-of-at-least-32-characters-" + RUN
OWN_API_SOURCE = "arn:aws:execute-api:ap-south-1:000000000000:abcdef1234/live/*/*"
# The emulator's buckets are throwaway: destroy may delete the archived objects.
LOG_ARCHIVE = "{ force_destroy = true, buffering_interval_seconds = 60, buffering_size_mb = 1 }"
# Several origins: the case where API Gateway's own answers echo the caller's Origin (modules/api_gateway).
CORS_ORIGINS = ("https://shop.example.com", "http://localhost:3000")


def terraform_variables(package: str, jwt_parameter: str, hash_parameter_arn: str, customer_key: str) -> dict:
    return {
        "function_name": FUNCTION,
        "name_prefix": PREFIX,
        "alarm_name_prefix": f"Api-{RUN}",
        "create_lambda": "true",
        "lambda_package_path": package,
        "create_api": "true",
        "api_stage_name": "live",
        "api_throttling_burst_limit": "40",
        "api_throttling_rate_limit": "20",
        "api_access_log_retention_in_days": "14",
        "cors_allowed_origins": json.dumps(list(CORS_ORIGINS)),
        "jwt_secret_parameter": jwt_parameter,
        "log_hash_key_parameter": hash_parameter_arn,
        "secret_parameters_kms_key_arn": customer_key,
        "table_kms_key_arn": customer_key,
        "lambda_kms_key_arn": customer_key,
        "lambda_invoke_source_arns": json.dumps({"shop": OWN_API_SOURCE}),
        "log_archive": LOG_ARCHIVE,
        # The second PII net: a data protection policy on the function and audit groups (docs/pii.md).
        "log_data_protection": "{}",
        # The burn-rate alarms are the e2e stack's subject; here they would only double the apply.
        "slo_alarms_enabled": "false",
    }
