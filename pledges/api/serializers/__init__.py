"""Pledges' API serializers: plans and their review (``plans``), expenditure datasets, returns and
DIP metrics (``dip``). Output serializers are read-only; ``*Write`` ones type-check input."""
