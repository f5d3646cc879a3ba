"""DynamoDB served entirely by moto: every operation falls through to moto's backend."""

from localstack.aws.api.dynamodb import DynamodbApi
from localstack.services.plugins import ServiceLifecycleHook
from localstack.state import StateVisitor


class MotoDynamoDBProvider(DynamodbApi, ServiceLifecycleHook):
    def accept_state_visitor(self, visitor: StateVisitor):
        from moto.dynamodb.models import dynamodb_backends

        visitor.visit(dynamodb_backends)
