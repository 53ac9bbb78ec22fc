"""The procurement rules, enforced by the services, each with a clear field-level error."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from portal.exceptions import Conflict, Forbidden, NotFound
from portal.models import Nation, ObjectChange
from procurement import services
from procurement.choices import Firmness, FrameworkStatus
from procurement.models import CallOff, Delivery, DemandSignal, FrameworkContract
from procurement.services import CallOffLineInput, DeliveryInput
from procurement.tests.factories import ItemFactory, make_calloff, make_framework, nspa_user

pytestmark = pytest.mark.django_db


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def delivery(line, *, delivered=10, accepted=None, rejected=0, lot="L1", reason="", on=dt.date(2024, 9, 1)):
    return DeliveryInput(
        call_off_line_id=line.pk,
        delivered_on=on,
        quantity_delivered=delivered,
        quantity_accepted=delivered - rejected if accepted is None else accepted,
        quantity_rejected=rejected,
        lot_number=lot,
        rejection_reason=reason,
    )


class TestCallOffRules:
    def test_a_valid_call_off_commits_value_and_quantity_and_is_audited(self):
        framework = make_framework(ceiling=Decimal("100000"), lines=[(Decimal("12.50"), 1000)])
        call_off = make_calloff(framework, quantity=400)
        framework.refresh_from_db()
        line = framework.lines.get()
        assert call_off.total_value == Decimal("5000.00")
        assert framework.committed_value == Decimal("5000.00")
        assert framework.remaining_value == Decimal("95000.00")
        assert line.ordered_quantity == 400
        change = ObjectChange.objects.get(action="calloff.placed", object_id=str(call_off.pk))
        assert change.after["lines"][0]["quantity"] == 400

    def test_ceiling_cannot_be_exceeded(self):
        framework = make_framework(ceiling=Decimal("1000"), lines=[(Decimal("100"), 1000)])
        make_calloff(framework, quantity=8)
        with pytest.raises(ValidationError) as excinfo:
            make_calloff(framework, quantity=3)
        assert "over its ceiling" in " ".join(errors_of(excinfo)["lines"])
        assert "200.00 EUR remain" in " ".join(errors_of(excinfo)["lines"])
        framework.refresh_from_db()
        assert framework.committed_value == Decimal("800")
        assert CallOff.objects.count() == 1

    def test_a_call_off_that_lands_exactly_on_the_ceiling_is_placed_and_leaves_nothing(self):
        framework = make_framework(ceiling=Decimal("1000"), lines=[(Decimal("100"), 1000)])
        make_calloff(framework, quantity=8)
        make_calloff(framework, nation="FRA", quantity=2)
        framework.refresh_from_db()
        assert (framework.committed_value, framework.remaining_value) == (Decimal("1000"), Decimal("0"))
        with pytest.raises(ValidationError) as excinfo:
            make_calloff(framework, quantity=1)
        assert "0.00 EUR remain" in " ".join(errors_of(excinfo)["lines"])

    def test_a_call_off_that_takes_the_last_units_of_a_line_is_placed(self):
        framework = make_framework(ceiling=Decimal("1000000"), lines=[(Decimal("1"), 100)])
        make_calloff(framework, quantity=60)
        make_calloff(framework, nation="FRA", quantity=40)
        assert framework.lines.get().ordered_quantity == 100
        with pytest.raises(ValidationError) as excinfo:
            make_calloff(framework, quantity=1)
        assert "maximum of 100 (0 left)" in " ".join(errors_of(excinfo)["lines"])

    def test_line_maximum_cannot_be_exceeded(self):
        framework = make_framework(ceiling=Decimal("1000000"), lines=[(Decimal("1"), 100)])
        make_calloff(framework, quantity=60)
        with pytest.raises(ValidationError) as excinfo:
            make_calloff(framework, nation="FRA", quantity=41)
        assert "maximum of 100 (40 left)" in " ".join(errors_of(excinfo)["lines"])

    def test_nation_must_participate(self):
        framework = make_framework(nations=["POL"])
        with pytest.raises(ValidationError) as excinfo:
            make_calloff(framework, nation="DEU")
        assert "Germany does not take part" in errors_of(excinfo)["nation"][0]

    def test_order_before_the_nation_joined_is_refused(self):
        framework = make_framework(nations=["POL"], joined_on=dt.date(2025, 3, 1))
        with pytest.raises(ValidationError) as excinfo:
            make_calloff(framework, order_date=dt.date(2025, 2, 28))
        assert "joined this framework on 2025-03-01" in errors_of(excinfo)["order_date"][0]
        assert make_calloff(framework, order_date=dt.date(2025, 3, 1)).pk

    @pytest.mark.parametrize("order_date", [dt.date(2023, 12, 31), dt.date(2028, 1, 1)])
    def test_order_date_must_be_inside_the_framework_period(self, order_date):
        framework = make_framework(
            period=(dt.date(2024, 1, 1), dt.date(2027, 12, 31)), joined_on=dt.date(2020, 1, 1)
        )
        with pytest.raises(ValidationError) as excinfo:
            make_calloff(framework, order_date=order_date)
        assert "inside the framework period" in errors_of(excinfo)["order_date"][0]

    def test_framework_must_be_active(self):
        actor = nspa_user()
        framework = make_framework(actor=actor)
        services.framework_amend(
            actor=actor,
            framework=framework,
            expected_version=framework.version,
            date=dt.date(2025, 1, 1),
            rationale="status_change",
            description="Terminated by the participants.",
            changes={"status": FrameworkStatus.TERMINATED},
        )
        with pytest.raises(ValidationError) as excinfo:
            make_calloff(framework)
        assert "terminated, not active" in errors_of(excinfo)["framework"][0]

    def test_line_of_another_framework_is_refused(self):
        framework = make_framework()
        other = make_framework()
        with pytest.raises(ValidationError) as excinfo:
            make_calloff(framework, line=other.lines.get())
        assert "does not belong" in errors_of(excinfo)["lines[0].framework_line"][0]

    def test_schedule_must_add_up(self):
        framework = make_framework()
        line = framework.lines.get()
        with pytest.raises(ValidationError) as excinfo:
            services.calloff_create(
                actor=nspa_user(),
                framework=framework,
                nation=Nation.objects.get(code="POL"),
                reference="CO-SCHED",
                order_date=dt.date(2024, 6, 1),
                lines=[
                    CallOffLineInput(framework_line=line, quantity=10, schedule=[(dt.date(2024, 9, 1), 4)])
                ],
            )
        assert "adds up to 4, not the 10 ordered" in errors_of(excinfo)["lines[0].schedule"][0]

    def test_only_nspa_places_call_offs(self, owner):
        framework = make_framework()
        with pytest.raises(Forbidden):
            make_calloff(framework, actor=owner)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_call_offs_that_together_breach_the_ceiling_one_succeeds():
    """Two threads, two database connections, one framework row lock: exactly one order fits."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite serialises whole-database writes)")
    framework = make_framework(ceiling=Decimal("1500"), lines=[(Decimal("100"), 100)])
    actor = nspa_user()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def place(nation_code: str) -> None:
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            make_calloff(framework, nation=nation_code, quantity=10, actor=actor)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(" ".join(exc.message_dict.get("lines", [])))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=place, args=(code,)) for code in ("POL", "FRA")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes)[-1] == "ok"
    assert outcomes.count("ok") == 1, outcomes
    assert any("over its ceiling" in o for o in outcomes)
    framework.refresh_from_db()
    assert framework.committed_value == Decimal("1000")
    assert CallOff.objects.count() == 1


class TestDeliveryRules:
    def test_partial_deliveries_accumulate(self):
        line = make_calloff(make_framework(), quantity=100).lines.get()
        services.delivery_record(actor=nspa_user(), data=delivery(line, delivered=60, lot="A"))
        services.delivery_record(
            actor=nspa_user(), data=delivery(line, delivered=40, rejected=5, reason="Damaged", lot="B")
        )
        line.refresh_from_db()
        assert (line.delivered_quantity, line.accepted_quantity, line.outstanding_quantity) == (100, 95, 0)
        assert Delivery.objects.get(lot_number="A").accepted_on == dt.date(2024, 9, 1)

    def test_a_delivery_is_audited_with_what_was_delivered(self):
        actor = nspa_user()
        line = make_calloff(make_framework(), quantity=100).lines.get()
        recorded = services.delivery_record(
            actor=actor, data=delivery(line, delivered=12, rejected=2, reason="Damaged", lot="AUD-1")
        )
        change = ObjectChange.objects.get(action="delivery.recorded", object_id=str(recorded.pk))
        assert (change.actor, change.content_type.model_class()) == (actor, Delivery)
        assert (change.after["lot_number"], change.after["quantity_delivered"]) == ("AUD-1", 12)
        assert (change.after["quantity_accepted"], change.after["quantity_rejected"]) == (10, 2)

    def test_delivery_cannot_exceed_the_order(self):
        line = make_calloff(make_framework(), quantity=100).lines.get()
        services.delivery_record(actor=nspa_user(), data=delivery(line, delivered=90, lot="A"))
        with pytest.raises(ValidationError) as excinfo:
            services.delivery_record(actor=nspa_user(), data=delivery(line, delivered=11, lot="B"))
        assert "Only 10 of 100 remain" in errors_of(excinfo)["quantity_delivered"][0]

    def test_accepted_plus_rejected_must_equal_delivered(self):
        line = make_calloff(make_framework()).lines.get()
        with pytest.raises(ValidationError) as excinfo:
            services.delivery_record(
                actor=nspa_user(), data=delivery(line, delivered=10, accepted=5, rejected=2, reason="x")
            )
        assert "Accepted plus rejected" in errors_of(excinfo)["quantity_rejected"][0]

    def test_rejection_needs_a_reason(self):
        line = make_calloff(make_framework()).lines.get()
        with pytest.raises(ValidationError) as excinfo:
            services.delivery_record(actor=nspa_user(), data=delivery(line, delivered=10, rejected=2))
        assert "rejection_reason" in errors_of(excinfo)

    def test_lot_is_unique_per_call_off_line(self):
        line = make_calloff(make_framework()).lines.get()
        services.delivery_record(actor=nspa_user(), data=delivery(line, delivered=5, lot="LOT-7"))
        with pytest.raises(ValidationError) as excinfo:
            services.delivery_record(actor=nspa_user(), data=delivery(line, delivered=5, lot="LOT-7"))
        assert "already recorded" in errors_of(excinfo)["lot_number"][0]

    def test_delivery_before_the_order_is_refused(self):
        line = make_calloff(make_framework(), order_date=dt.date(2024, 6, 1)).lines.get()
        with pytest.raises(ValidationError) as excinfo:
            services.delivery_record(actor=nspa_user(), data=delivery(line, on=dt.date(2024, 5, 1)))
        assert "precede the order date" in errors_of(excinfo)["delivered_on"][0]

    def test_unknown_line_and_scope(self, owner):
        with pytest.raises(ValidationError):
            services.delivery_record(
                actor=nspa_user(), data=DeliveryInput(999999, dt.date(2024, 1, 1), 1, 1, lot_number="x")
            )
        line = make_calloff(make_framework()).lines.get()
        with pytest.raises(Forbidden):
            services.delivery_record(actor=owner, data=delivery(line))

    def test_import_rechecks_totals_under_lock(self):
        line = make_calloff(make_framework(), quantity=10).lines.get()
        rows = [delivery(line, delivered=6, lot="A"), delivery(line, delivered=6, lot="B")]
        with pytest.raises(ValidationError) as excinfo:
            services.deliveries_import(actor=nspa_user(), rows=rows, file_name="d.csv", sha256="0" * 64)
        assert "exceed" in errors_of(excinfo)["file"][0]
        assert Delivery.objects.count() == 0


class TestDemand:
    def test_director_files_own_nation_and_edits_with_version(self, owner):
        item = ItemFactory()
        signal = services.demand_signal_set(
            actor=owner, nation=owner.nation, item=item, year=2026, quantity=5000, firmness=Firmness.FIRM
        )
        updated = services.demand_signal_set(
            actor=owner,
            nation=owner.nation,
            item=item,
            year=2026,
            quantity=6000,
            firmness=Firmness.PLANNED,
            expected_version=signal.version,
        )
        assert (updated.pk, updated.quantity, updated.version) == (signal.pk, 6000, 2)
        with pytest.raises(Conflict) as excinfo:
            services.demand_signal_set(
                actor=owner,
                nation=owner.nation,
                item=item,
                year=2026,
                quantity=1,
                firmness="firm",
                expected_version=1,
            )
        assert excinfo.value.detail["changed_fields"] == ["firmness", "quantity"]
        assert excinfo.value.detail["changed_by"] == ["owner_pol"]

    def test_director_cannot_file_for_another_nation(self, owner):
        with pytest.raises(Forbidden):
            services.demand_signal_set(
                actor=owner,
                nation=Nation.objects.get(code="FRA"),
                item=ItemFactory(),
                year=2026,
                quantity=1,
                firmness="firm",
            )

    def test_nspa_files_on_behalf_and_it_is_audited(self, nspa):
        signal = services.demand_signal_set(
            actor=nspa,
            nation=Nation.objects.get(code="DEU"),
            item=ItemFactory(),
            year=2027,
            quantity=10,
            firmness="planned",
        )
        change = ObjectChange.objects.get(object_id=str(signal.pk), action="create")
        assert change.message.startswith("Filed by nspa_user on behalf of Germany")

    def test_year_must_be_plausible(self, owner):
        with pytest.raises(ValidationError) as excinfo:
            services.demand_signal_set(
                actor=owner, nation=owner.nation, item=ItemFactory(), year=1800, quantity=1, firmness="firm"
            )
        assert "year" in errors_of(excinfo)
        assert DemandSignal.objects.count() == 0

    def test_partner_cannot_file(self, make_user):
        partner = make_user("partner", "UKR")
        with pytest.raises(Forbidden):
            services.demand_signal_set(
                actor=partner,
                nation=partner.nation,
                item=ItemFactory(),
                year=2026,
                quantity=1,
                firmness="firm",
            )


class TestFrameworkChanges:
    def test_amendment_records_old_and_new_values(self):
        actor = nspa_user()
        framework = make_framework(actor=actor, ceiling=Decimal("1000"))
        amendment = services.framework_amend(
            actor=actor,
            framework=framework,
            expected_version=framework.version,
            date=dt.date(2025, 6, 1),
            rationale="ceiling_change",
            description="Ceiling raised after new participants.",
            changes={"ceiling_value": Decimal("2500.00")},
        )
        assert amendment.changes == {"ceiling_value": {"old": "1000.00", "new": "2500.00"}}
        framework.refresh_from_db()
        assert framework.ceiling_value == Decimal("2500.00")

    def test_ceiling_cannot_drop_below_committed(self):
        actor = nspa_user()
        framework = make_framework(actor=actor, ceiling=Decimal("1000"), lines=[(Decimal("100"), 100)])
        make_calloff(framework, quantity=8)
        framework.refresh_from_db()
        with pytest.raises(ValidationError) as excinfo:
            services.framework_amend(
                actor=actor,
                framework=framework,
                expected_version=framework.version,
                date=dt.date(2025, 6, 1),
                rationale="ceiling_change",
                description="Cut.",
                changes={"ceiling_value": Decimal("500")},
            )
        assert "below the 800.00 already committed" in errors_of(excinfo)["ceiling_value"][0]

    def test_stale_edit_is_a_conflict_naming_the_change(self):
        actor = nspa_user()
        framework = make_framework(actor=actor)
        stale_version = framework.version
        services.framework_update(
            actor=actor, framework=framework, expected_version=stale_version, title="Renamed"
        )
        with pytest.raises(Conflict) as excinfo:
            services.framework_update(
                actor=actor, framework=framework, expected_version=stale_version, notes="mine"
            )
        assert excinfo.value.detail["changed_fields"] == ["title"]
        assert FrameworkContract.objects.get(pk=framework.pk).notes == ""

    def test_contract_values_only_change_through_amendments(self):
        actor = nspa_user()
        framework = make_framework(actor=actor)
        with pytest.raises(ValidationError) as excinfo:
            services.framework_update(
                actor=actor,
                framework=framework,
                expected_version=framework.version,
                ceiling_value=Decimal("1"),
            )
        assert "amendment" in errors_of(excinfo)["ceiling_value"][0]

    def test_joining_an_active_framework_is_an_amendment(self):
        actor = nspa_user()
        framework = make_framework(actor=actor, nations=["POL"])
        services.framework_participant_add(
            actor=actor,
            framework=framework,
            nation=Nation.objects.get(code="NLD"),
            joined_on=dt.date(2025, 1, 1),
        )
        assert framework.amendments.get().rationale == "participant_added"

    def test_director_cannot_change_a_framework_they_see(self, owner):
        framework = make_framework(nations=["POL"])
        with pytest.raises(Forbidden):
            services.framework_update(actor=owner, framework=framework, expected_version=None, title="x")
        other = make_framework(nations=["FRA"])
        with pytest.raises(NotFound):
            services.framework_update(actor=owner, framework=other, expected_version=None, title="x")


class TestCorrections:
    def test_delivery_descriptive_fields_can_be_corrected_and_are_audited(self):
        actor = nspa_user()
        line = make_calloff(make_framework(), quantity=100).lines.get()
        recorded = services.delivery_record(actor=actor, data=delivery(line, delivered=10, lot="C1"))
        corrected = services.delivery_correct(actor=actor, delivery=recorded, location="Depot 7")
        assert corrected.location == "Depot 7"
        change = ObjectChange.objects.get(action="delivery.corrected")
        assert change.changed_fields == ["location"]

    def test_delivery_quantities_cannot_be_corrected(self):
        actor = nspa_user()
        line = make_calloff(make_framework(), quantity=100).lines.get()
        recorded = services.delivery_record(actor=actor, data=delivery(line, delivered=10, lot="C1"))
        with pytest.raises(ValidationError) as excinfo:
            services.delivery_correct(actor=actor, delivery=recorded, quantity_delivered=5)
        assert "cannot be changed" in errors_of(excinfo)["quantity_delivered"][0]

    def test_supplier_and_programme_edits(self, owner):
        actor = nspa_user()
        supplier = services.supplier_create(actor=actor, name="Old Name", country="DEU")
        assert services.supplier_update(actor=actor, supplier=supplier, name="New Name").name == "New Name"
        programme = services.programme_create(actor=actor, code="p1", name="P", kind="programme")
        assert services.programme_update(actor=actor, programme=programme, description="d").description == "d"
        with pytest.raises(Forbidden):
            services.supplier_update(actor=owner, supplier=supplier, name="x")
