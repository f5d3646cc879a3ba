"""Cart migration Lambda: moves a guest's carts into the signed-in customer's carts.

The handler is ``cart_migration.handler.lambda_handler``. Event names, messages and fields come
from ``event_catalogue.json``, which the Terraform module also reads to build metric filters.
"""
