"""The guide's weekly review as a command (`make review SINCE=7d`, `cartmon-review`).

collect.py reads what the weekly checklist asks about from CloudWatch, CloudWatch Logs, SNS and
the Terraform state; report.py writes it as Markdown and HTML; cli.py is the command.
"""
