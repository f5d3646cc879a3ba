"""The bench's measurements, one module per section of BENCHMARKS.md."""
