"""The alert-quality benchmark (`make alert-quality`): a simulated week of shop traffic with known
incidents, replayed minute by minute through the alarm definitions of a real `terraform plan`, for the
guide's five alarms and for the module's full set; it reports what pages, what tickets, and how fast."""
