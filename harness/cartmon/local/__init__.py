"""The function and its surroundings, played in this process, for the demo, `make traffic`, the bench and the tests.

The emulator cannot run a Lambda function without Docker, so the harness plays the Lambda service here:

- ``runtime``: `LocalLambda`, one function's invocations (timeouts, init failures, throttles), its
  shipped log lines and AWS/Lambda metrics;
- ``platform_lines``: the platform's START/END/REPORT lines (or Telemetry API events) around an invocation;
- ``stdout``: each invocation's stdout, kept apart per thread and cut off at its timeout;
- ``events`` and ``tokens``: the API Gateway events, Lambda context and bearer tokens a caller sends;
- ``tables``: the function's DynamoDB tables, for tests that do not apply the module;
- ``traffic``: the shop's customers calling the API (the demo's morning, `make traffic`'s minutes);
- ``inbox``: the SQS queues examples/local subscribes to its alert topics;
- ``jwks``: an identity provider's JWKS endpoint on 127.0.0.1, for RS256 tests;
- ``api_runtime``: a runtime served to the emulator, so requests through its API Gateway run the function.
"""
