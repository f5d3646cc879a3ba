"""Every API the module, the Lambda and the tests call is served at the one endpoint."""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile

import pytest
from botocore.exceptions import ClientError


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_sts_and_iam(aws_client):
    account = aws_client("sts").get_caller_identity()["Account"]
    assert account.isdigit() and len(account) == 12
    name = unique("role")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = aws_client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    assert role["Arn"] == f"arn:aws:iam::{account}:role/{name}"
    aws_client("iam").delete_role(RoleName=name)


def test_sns_delivers_to_an_sqs_subscriber_through_a_kms_encrypted_topic(aws_client):
    sns, sqs, kms = aws_client("sns"), aws_client("sqs"), aws_client("kms")
    key_id = kms.create_key(Description="topic key")["KeyMetadata"]["KeyId"]
    topic = sns.create_topic(Name=unique("topic"), Attributes={"KmsMasterKeyId": key_id})["TopicArn"]
    queue_url = sqs.create_queue(QueueName=unique("queue"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    sns.publish(TopicArn=topic, Message="hello subscribers")
    messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=5).get("Messages", [])
    assert messages and json.loads(messages[0]["Body"])["Message"] == "hello subscribers"
    assert sns.get_topic_attributes(TopicArn=topic)["Attributes"]["KmsMasterKeyId"] == key_id


def test_dynamodb_conditional_transactions_and_ttl(aws_client):
    dynamodb = aws_client("dynamodb")
    table = unique("carts")
    dynamodb.create_table(
        TableName=table,
        KeySchema=[
            {"AttributeName": "customer_id", "KeyType": "HASH"},
            {"AttributeName": "store_id", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "customer_id", "AttributeType": "S"},
            {"AttributeName": "store_id", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
    )
    assert (
        dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]["AttributeName"]
        == "expires_at"
    )
    guest_key = {"customer_id": {"S": "guest-1"}, "store_id": {"S": "S1"}}
    dynamodb.put_item(TableName=table, Item={**guest_key, "version": {"N": "1"}})

    def move(expected_version: str):
        dynamodb.transact_write_items(
            TransactItems=[
                {
                    "Delete": {
                        "TableName": table,
                        "Key": guest_key,
                        "ConditionExpression": "version = :v",
                        "ExpressionAttributeValues": {":v": {"N": expected_version}},
                    }
                },
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"customer_id": {"S": "c-1"}, "store_id": {"S": "S1"}},
                        "ConditionExpression": "attribute_not_exists(customer_id)",
                    }
                },
            ]
        )

    with pytest.raises(ClientError) as cancelled:
        move("2")
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert dynamodb.get_item(TableName=table, Key=guest_key).get("Item"), (
        "a cancelled transaction must change nothing"
    )
    move("1")
    assert "Item" not in dynamodb.get_item(TableName=table, Key=guest_key)
    customer = dynamodb.query(
        TableName=table,
        KeyConditionExpression="customer_id = :c",
        ExpressionAttributeValues={":c": {"S": "c-1"}},
    )
    assert customer["Count"] == 1
    dynamodb.delete_table(TableName=table)


def test_lambda_function_management(aws_client):
    iam, lambda_ = aws_client("iam"), aws_client("lambda")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role_arn = iam.create_role(RoleName=unique("fn-role"), AssumeRolePolicyDocument=json.dumps(trust))[
        "Role"
    ]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("handler.py", "def handle(event, context):\n    return event\n")
    name = unique("fn")
    created = lambda_.create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role_arn,
        Handler="handler.handle",
        Code={"ZipFile": archive.getvalue()},
    )
    assert created["State"] == "Active"
    lambda_.update_function_configuration(FunctionName=name, Environment={"Variables": {"MODE": "test"}})
    assert lambda_.get_function(FunctionName=name)["Configuration"]["Environment"]["Variables"] == {
        "MODE": "test"
    }
    with pytest.raises(ClientError) as refused:
        lambda_.create_function(
            FunctionName=unique("fn"),
            Runtime="python3.13",
            Role=role_arn.replace("fn-role", "missing-role"),
            Handler="handler.handle",
            Code={"ZipFile": archive.getvalue()},
        )
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValueException"
    lambda_.delete_function(FunctionName=name)
    with pytest.raises(ClientError):
        lambda_.get_function(FunctionName=name)


def test_logs_groups_streams_retention_and_query_definitions(aws_client):
    logs = aws_client("logs")
    group = f"/test/{unique('group')}"
    logs.create_log_group(logGroupName=group)
    logs.put_retention_policy(logGroupName=group, retentionInDays=30)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[{"timestamp": int(time.time() * 1000), "message": '{"a": 1}'}],
    )
    described = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]
    assert described["retentionInDays"] == 30
    assert logs.get_log_events(logGroupName=group, logStreamName="s")["events"][0]["message"] == '{"a": 1}'

    definition_id = logs.put_query_definition(
        name=f"{group}/q", queryString="fields @timestamp | limit 5", logGroupNames=[group]
    )["queryDefinitionId"]
    found = logs.describe_query_definitions(queryDefinitionNamePrefix=f"{group}/")["queryDefinitions"]
    assert [(d["queryDefinitionId"], d["queryString"], d["logGroupNames"]) for d in found] == [
        (definition_id, "fields @timestamp | limit 5", [group])
    ]
    logs.put_query_definition(
        queryDefinitionId=definition_id, name=f"{group}/q", queryString="fields @message | limit 1"
    )
    assert (
        logs.describe_query_definitions(queryDefinitionNamePrefix=f"{group}/")["queryDefinitions"][0][
            "queryString"
        ]
        == "fields @message | limit 1"
    )
    with pytest.raises(ClientError) as invalid:
        logs.put_query_definition(name=f"{group}/bad", queryString="stats case(x) by y")
    assert invalid.value.response["Error"]["Code"] == "InvalidParameterException"
    assert logs.delete_query_definition(queryDefinitionId=definition_id)["success"] is True
    assert logs.describe_query_definitions(queryDefinitionNamePrefix=f"{group}/")["queryDefinitions"] == []
    logs.delete_log_group(logGroupName=group)


def test_metric_filters_replace_on_put_and_go_with_their_group(aws_client):
    logs = aws_client("logs")
    group = f"/test/{unique('filters')}"
    logs.create_log_group(logGroupName=group)
    transformation = {
        "metricName": "M",
        "metricNamespace": "Test/Filters",
        "metricValue": "1",
        "defaultValue": 0.0,
    }
    logs.put_metric_filter(
        logGroupName=group,
        filterName="f",
        filterPattern="{ $.a = 1 }",
        metricTransformations=[transformation],
    )
    logs.put_metric_filter(
        logGroupName=group,
        filterName="f",
        filterPattern="{ $.a = 2 }",
        metricTransformations=[transformation],
    )
    filters = logs.describe_metric_filters(logGroupName=group)["metricFilters"]
    assert [f["filterPattern"] for f in filters] == ["{ $.a = 2 }"]
    with pytest.raises(ClientError) as invalid:
        logs.put_metric_filter(
            logGroupName=group,
            filterName="g",
            filterPattern="{ $.a = ",
            metricTransformations=[transformation],
        )
    assert invalid.value.response["Error"]["Code"] == "InvalidParameterException"
    logs.delete_log_group(logGroupName=group)
    assert logs.describe_metric_filters(logGroupName=group)["metricFilters"] == []


def test_cloudwatch_metrics_alarms_and_dashboards(aws_client):
    cloudwatch = aws_client("cloudwatch")
    namespace = f"Test/{unique('ns')}"
    cloudwatch.put_metric_data(
        Namespace=namespace, MetricData=[{"MetricName": "Hits", "Value": 3, "Unit": "Count"}]
    )
    assert cloudwatch.list_metrics(Namespace=namespace)["Metrics"][0]["MetricName"] == "Hits"
    alarm = unique("alarm")
    cloudwatch.put_metric_alarm(
        AlarmName=alarm,
        Namespace=namespace,
        MetricName="Hits",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanThreshold",
    )
    assert cloudwatch.describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]["Threshold"] == 1
    cloudwatch.delete_alarms(AlarmNames=[alarm])
    body = {
        "widgets": [
            {"type": "text", "x": 0, "y": 0, "width": 6, "height": 2, "properties": {"markdown": "hi"}}
        ]
    }
    dashboard = unique("dash")
    cloudwatch.put_dashboard(DashboardName=dashboard, DashboardBody=json.dumps(body))
    assert json.loads(cloudwatch.get_dashboard(DashboardName=dashboard)["DashboardBody"]) == body
    cloudwatch.delete_dashboards(DashboardNames=[dashboard])
    with pytest.raises(ClientError) as missing:
        cloudwatch.get_dashboard(DashboardName=dashboard)
    assert missing.value.response["Error"]["Code"] == "ResourceNotFound"
    assert missing.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_lambda_keeps_the_environment_kms_key(aws_client):
    """KMSKeyArn given to CreateFunction/UpdateFunctionConfiguration is returned by GetFunction and
    GetFunctionConfiguration; an empty string removes it.
    https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html#lambda-CreateFunction-request-KMSKeyArn
    https://docs.aws.amazon.com/lambda/latest/api/API_FunctionConfiguration.html"""
    iam, lambda_ = aws_client("iam"), aws_client("lambda")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role_arn = iam.create_role(RoleName=unique("fn-role"), AssumeRolePolicyDocument=json.dumps(trust))[
        "Role"
    ]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("handler.py", "def handle(event, context):\n    return event\n")
    first_key = "arn:aws:kms:ap-south-1:000000000000:key/11111111-1111-1111-1111-111111111111"
    second_key = "arn:aws:kms:ap-south-1:000000000000:key/22222222-2222-2222-2222-222222222222"
    name = unique("fn")
    created = lambda_.create_function(
        FunctionName=name,
        Runtime="python3.13",
        Role=role_arn,
        Handler="handler.handle",
        Code={"ZipFile": archive.getvalue()},
        Environment={"Variables": {"MODE": "test"}},
        KMSKeyArn=first_key,
    )
    assert created["KMSKeyArn"] == first_key
    assert lambda_.get_function(FunctionName=name)["Configuration"]["KMSKeyArn"] == first_key
    assert lambda_.get_function_configuration(FunctionName=name)["KMSKeyArn"] == first_key
    updated = lambda_.update_function_configuration(FunctionName=name, KMSKeyArn=second_key)
    assert updated["KMSKeyArn"] == second_key
    assert lambda_.get_function_configuration(FunctionName=name)["KMSKeyArn"] == second_key
    lambda_.update_function_configuration(FunctionName=name, Description="unrelated change")
    assert lambda_.get_function_configuration(FunctionName=name)["KMSKeyArn"] == second_key
    lambda_.update_function_configuration(FunctionName=name, KMSKeyArn="")
    assert "KMSKeyArn" not in lambda_.get_function_configuration(FunctionName=name)
    lambda_.delete_function(FunctionName=name)


def test_s3_firehose_and_sns_delivery_to_firehose(aws_client):
    """SNS delivers to a Firehose subscriber, and Firehose writes to its S3 bucket.
    https://docs.aws.amazon.com/sns/latest/dg/sns-firehose-as-subscriber.html"""
    s3, firehose, sns, iam = aws_client("s3"), aws_client("firehose"), aws_client("sns"), aws_client("iam")
    bucket, stream = unique("cartmon-archive"), unique("archive")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-south-1"})
    stream_arn = firehose.create_delivery_stream(
        DeliveryStreamName=stream,
        ExtendedS3DestinationConfiguration={
            "BucketARN": f"arn:aws:s3:::{bucket}",
            "RoleARN": "arn:aws:iam::000000000000:role/firehose",
        },
    )["DeliveryStreamARN"]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam.create_role(RoleName=unique("sns-firehose"), AssumeRolePolicyDocument=json.dumps(trust))[
        "Role"
    ]
    topic = sns.create_topic(Name=unique("alerts"))["TopicArn"]
    sns.subscribe(
        TopicArn=topic,
        Protocol="firehose",
        Endpoint=stream_arn,
        Attributes={"SubscriptionRoleArn": role["Arn"], "RawMessageDelivery": "true"},
    )
    sns.publish(TopicArn=topic, Message="archived alert")
    deadline = time.monotonic() + 10
    keys: list[str] = []
    while time.monotonic() < deadline and not keys:
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        time.sleep(0.2)
    assert keys, "nothing reached the bucket"
    assert b"archived alert" in s3.get_object(Bucket=bucket, Key=keys[0])["Body"].read()


def test_api_gateway_and_ssm_parameters(aws_client):
    """API Gateway REST APIs and SSM SecureString parameters can be created and read back.
    https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-parameter-store.html"""
    apigateway, ssm = aws_client("apigateway"), aws_client("ssm")
    api = apigateway.create_rest_api(name=unique("carts"))
    resources = apigateway.get_resources(restApiId=api["id"])["items"]
    assert [r["path"] for r in resources] == ["/"]
    name = f"/cartmon/{unique('secret')}"
    ssm.put_parameter(Name=name, Value="s3cr3t", Type="SecureString")
    assert ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"] == "s3cr3t"
    assert ssm.get_parameter(Name=name)["Parameter"]["Value"] != "s3cr3t"
