"""A pytest plugin for ``make mutate`` only (mutmut; see ``[tool.mutmut]`` in pyproject.toml).

Each app registers its rows of the authorization matrix once, when Django starts: before mutmut
begins recording which tests reach which function, and in the process mutmut then forks for every
mutant. A mutant of a rule would therefore never take effect, and mutmut would credit the rules to
no test but the first. Registering them again before each test fixes both; with no mutant active it
registers exactly the same rules, so the tests see what they always see.

A mutant needs one failing example, not the simplest one: hypothesis's shrinking is turned off here
(the plugin loads before the test modules, whose ``@settings`` inherit this profile).
"""

from __future__ import annotations

import importlib
import importlib.util

import pytest
from hypothesis import Phase, settings

settings.register_profile("mutmut", phases=[Phase.explicit, Phase.reuse, Phase.generate])
settings.load_profile("mutmut")

# (module, function) pairs that register rules; apps without a rules module yet are skipped.
REGISTRARS = [
    ("portal.rules", "register_rules"),
    ("procurement.rules", "register_rules"),
    ("pledges.rules", "register_rules"),
    ("standards.rules", "register_rules"),
    ("boards.rules", "register_rules"),
]


@pytest.fixture(autouse=True)
def _rules_registered_under_the_active_mutant():
    for module_name, function in REGISTRARS:
        if importlib.util.find_spec(module_name) is not None:
            getattr(importlib.import_module(module_name), function)()
