"""`make bench`: what a migration, a log event, a cold start and a deploy cost, beside baselines.

    cartmon-bench [--quick] [--only SECTION,...] [--calls N] [--output BENCHMARKS.md]
    cartmon-bench --render build/bench/results.json      # re-render BENCHMARKS.md from saved results

Emulator latency is not AWS latency, so this measures what carries over to AWS, and compares
against baselines measured in the same run on the same machine:

  roundtrips  DynamoDB and CloudWatch Logs calls per migration for 1/5/25 stores x 1/10/100 items,
              counted with botocore event hooks on the Lambda's own clients, beside the original
              system's per-store read-read-delete-put pattern run on the same tables.
  handler     `lambda_handler` in-process against the emulator: wall p50/p99 of each of the four
              operations beside the guide's targets, and the handler's own CPU time (below).
  coldstart   import time of the handler in a fresh interpreter (median of N), cached and from a
              fresh read-only copy of the zip, the packages it spends it in (-X importtime),
              beside a Powertools-Logger-only handler and boto3; and, on the emulator, init plus
              the first request through the local Lambda runtime beside a bare-boto3 handler
              making the same DynamoDB calls.
  logging     cost of one structured event beside a bare Powertools Logger call and stdlib
              json + logging, as ratios from one run.
  deploy      a private emulator's start time and peak memory, and `terraform init/plan/apply/
              destroy` of examples/local on a copy of the module against it, with each
              resource's apply time from `terraform apply -json`.

BENCHMARKS.md opens with the goals table: five measures of cold start, log cost, deploy and suite
time beside their goals (`goals`), the suite's time from the record `make test` writes.

CPU time of the handler: `time.process_time()` around each call, minus the CPU time spent between
botocore's `before-send` and `before-parse` events (the HTTP exchange), and separately minus the
CPU of whole AWS calls (`provide-client-params` to `after-call`: serialising, signing, sending,
parsing). The emulator runs in another process, so its CPU is never in these numbers.

Needs AWS_ENDPOINT_URL (the Makefile runs this under `bootstrap/emulator_launcher.py run`). Writes
BENCHMARKS.md and build/bench/results.json. No number here is asserted anywhere.

The package, one module per concern: `settings` (what to measure, where to write), `stats`,
`call_meter` (botocore hooks), `fixtures` (tables, carts, timed handler calls), `measures/` (one
module per section, plus `importtime`, `first_request` and `apply_log`), `memory` (process-tree
RSS), `machine`, `goals`, `markdown` and `report` (BENCHMARKS.md), `cli` (`main`, the `cartmon-bench` console script).
"""
