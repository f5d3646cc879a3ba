"""Pure engines (standard library only): filter patterns, alarm evaluation and metric math, Logs Insights.

Nothing here imports LocalStack: the providers next to this package adapt the engines to it, and the
harness (the dashboard renderer) uses the same engines outside the emulator.
"""
