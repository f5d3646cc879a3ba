"""Pure engines (standard library only): filter patterns, statistics, metric math, metric and composite
alarm evaluation, Logs Insights.

Nothing here imports LocalStack: the providers next to this package adapt the engines to it, and the
harness (the dashboard renderer) uses the same engines outside the emulator.
"""
