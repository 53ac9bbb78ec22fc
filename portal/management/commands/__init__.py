"""``load_demo``: the demo data ``make run`` serves."""
