"""``import_nato_expenditure`` (NATO's published tables) and ``recompute_dip_metrics``."""
