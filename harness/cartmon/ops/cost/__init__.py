"""Monthly cost estimate of the resources a Terraform plan creates, at ap-south-1 list prices.

    cartmon-cost build/plan.json [--invocations-per-day N] [--gb-per-month G] [--json] [...]

The plan is `terraform show -json` of a saved plan (`make plan` writes build/plan.json for the
local example). What the plan declares is counted from it: alarms and their alarm metrics
(standard or high resolution; a metric-math alarm counts each metric it reads, an anomaly
detection band two more), the custom metrics its metric filters publish (each combination of
dimension values is a metric), dashboards, log groups and their retention, KMS keys, SNS
subscriptions, DynamoDB tables, the Lambda function's memory and architecture. What only
traffic decides (invocations, log volume, alarm notifications, DynamoDB request units) is an
assumption, printed with the estimate and changed with the options.

Unit prices are in `prices.PRICES`, each with its source. "Asia Pacific (Mumbai)" prices were found for
some items only; an item priced at the US East list price is marked "assumed" in PRICES and in
the output. Totals are given twice: with the AWS always-free allowances (an account running
nothing else) and without them (the marginal cost in an account that already uses them).

The package: `prices` (unit prices and free allowances), `plan` (reading the plan), `model`
(assumptions, lines, the estimate), `pricing` (one function per kind of resource), `estimate`,
`report` (the text table) and `cli` (`main`, the `cartmon-cost` console script).
"""
