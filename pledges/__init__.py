"""Industrial Capacity Expansion Pledge national plans, and Defence Investment Pledge metrics."""
