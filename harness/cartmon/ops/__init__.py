"""Tools for the module's users: saved queries, the dashboard rendered, the monthly cost."""
