"""The harness of the cart-migration monitoring module.

- ``cartmon.project``: where things are, the region, emulator discovery, module copies.
- ``cartmon.local_lambda`` and ``cartmon.traffic``: the function run in-process, and shop traffic.
- ``cartmon.ops``: tools for module users (saved queries, dashboard rendering, cost).
- ``cartmon.dev``: tools for maintainers (demo, bench, generated docs, reliability report).
"""
