"""The harness of the cart-migration monitoring module.

- ``cartmon.project``: where things are, the region, emulator discovery, module copies.
- ``cartmon.local``: the function run in-process as Lambda would run it, shop traffic, alarm inboxes.
- ``cartmon.ops``: tools for module users (saved queries, traffic, dashboard rendering, review, cost).
- ``cartmon.dev``: tools for maintainers (demo, bench, generated docs, reliability report).
"""
