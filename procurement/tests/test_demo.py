"""The procurement demo loads the real frameworks, obeys every rule, and loads once."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from portal.models import ObjectChange
from procurement.models import CallOff, Delivery, DemandSignal, FrameworkContract

pytestmark = pytest.mark.django_db


def test_demo_loads_real_frameworks_and_is_idempotent():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (FrameworkContract.objects.count(), CallOff.objects.count(), Delivery.objects.count(),
              DemandSignal.objects.count(), ObjectChange.objects.count())  # fmt: skip
    lbdm = FrameworkContract.objects.get(reference="NSPA-LBDM-2023")
    assert (lbdm.ceiling_value, lbdm.firm_order_value, lbdm.currency) == (
        Decimal("2400000000"),
        Decimal("1000000000"),
        "EUR",
    )
    assert lbdm.participants.count() == 18
    gemt = FrameworkContract.objects.get(reference="NSPA-GEM-T-2024")
    assert set(gemt.participants.values_list("code", flat=True)) == {"DEU", "NLD", "ROU", "ESP"}
    assert gemt.lines.get().max_quantity == 1000
    stinger = FrameworkContract.objects.get(reference="NSPA-STINGER-2024")
    assert stinger.lines.get().max_quantity == 940
    assert all(CallOff.objects.values_list("illustrative", flat=True))
    assert lbdm.committed_value == sum(c.total_value for c in lbdm.call_offs.all())

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts == (FrameworkContract.objects.count(), CallOff.objects.count(), Delivery.objects.count(),
                      DemandSignal.objects.count(), ObjectChange.objects.count())  # fmt: skip
