"""Service providers the embedded emulator selects with PROVIDER_OVERRIDE_<SERVICE>=cartmon.

LocalStack's community code cannot serve DynamoDB or Lambda without Docker or Java; moto's
backends (shipped with LocalStack as moto-ext) can. Logs gets faithful metric filters, query
definitions and Logs Insights, and CloudWatch alarm evaluation on a fixed cadence, on top of
LocalStack's own providers.
"""

from localstack.services.plugins import Service, aws_provider


@aws_provider(api="dynamodb", name="cartmon")
def dynamodb():
    from localstack.services.moto import MotoFallbackDispatcher

    from cartmon_emulator.dynamodb import MotoDynamoDBProvider

    return Service.for_provider(MotoDynamoDBProvider(), dispatch_table_factory=MotoFallbackDispatcher)


@aws_provider(api="lambda", name="cartmon")
def lambda_():
    from localstack.services.moto import MotoFallbackDispatcher

    from cartmon_emulator.lambda_management import MotoLambdaProvider

    return Service.for_provider(MotoLambdaProvider(), dispatch_table_factory=MotoFallbackDispatcher)


@aws_provider(api="logs", name="cartmon")
def logs():
    from localstack.services.moto import MotoFallbackDispatcher

    from cartmon_emulator.logs import CartmonLogsProvider

    return Service.for_provider(CartmonLogsProvider(), dispatch_table_factory=MotoFallbackDispatcher)


@aws_provider(api="cloudwatch", name="cartmon")
def cloudwatch():
    from cartmon_emulator.cloudwatch import CartmonCloudwatchProvider

    return Service.for_provider(CartmonCloudwatchProvider())
