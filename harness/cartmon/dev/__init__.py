"""Tools for maintainers: the demo, the bench, generated docs, the reliability report."""
