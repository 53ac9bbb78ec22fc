"""``import_deliveries``: the delivery import from the command line."""
