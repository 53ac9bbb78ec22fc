"""Demand aggregation, NSPA framework contracts, call-off orders and deliveries."""
