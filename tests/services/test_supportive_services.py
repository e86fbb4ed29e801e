"""Supportive services: exact money, the organisation's lists, who may change one, totals in the
database, the audit trail's before and after, and stale edits. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from casetui.domain.actor import Actor
from casetui.domain.errors import NotFound, PermissionDenied, StaleEdit, ValidationError
from casetui.domain.models import AuditEvent, SupportiveService
from casetui.domain.money import AMOUNT_MAX
from casetui.domain.read_models.supportive_services import ServiceView
from casetui.services import lists as list_service
from casetui.services import supportive_services as services
from casetui.services.settings import SettingsChanges, update_settings
from casetui.services.supportive_services import ServiceChanges, ServiceInput

from .conftest import World

FUND = "Household Support Fund"
TRAVEL_FUND = "Travel to work fund"


@pytest.fixture
def grants(world: World) -> tuple[str, str]:
    for grant in (FUND, TRAVEL_FUND):
        world.run(list_service.add_item, world.admin, "grants", grant)
    return FUND, TRAVEL_FUND


def give(
    world: World,
    actor: Actor,
    case: str,
    amount: str | Decimal = "12.50",
    *,
    grant: str | None = None,
    service_type: str = "Travel",
    provided_on: str | date = "today",
    provider: str = "City Buses",
    justification: str = "Bus pass to get to the job interview",
) -> ServiceView:
    return world.run(
        services.add_service,
        actor,
        case,
        ServiceInput(
            service_type=service_type,
            provided_on=provided_on,
            provider=provider,
            amount=amount,
            justification=justification,
            grant=grant,
        ),
    )


def stored_amount(world: World, service_id: int) -> Decimal:
    return world.read(lambda uow: uow.session.get(SupportiveService, service_id).amount)


def refused(world: World, error: type[Exception], attempt: Any) -> Exception:
    """Refused with ``error``, and nothing in the database changed."""
    before = world.dump()
    with pytest.raises(error) as caught:
        attempt()
    assert world.dump() == before
    return caught.value


# --- recording one ---------------------------------------------------------------------------


def test_a_service_is_kept_with_every_field(world: World, grants: tuple[str, str]) -> None:
    view = give(world, world.ana, world.ana_case, "£1,234.5", grant="household support fund")
    assert (view.service_type, view.provider, view.grant) == ("Travel", "City Buses", FUND)
    assert view.amount == Decimal("1234.50") and str(view.amount) == "1234.50"
    assert view.provided_on == world.clock().date()
    assert (view.author, view.case_number, view.version) == ("ana", world.ana_case, 1)
    assert view.justification == "Bus pass to get to the job interview"
    assert stored_amount(world, view.id) == Decimal("1234.50")
    listed = world.run(services.list_services, world.ana, world.ana_case)
    assert listed == [view]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("12.5", "12.50"),
        ("12.50", "12.50"),
        ("1,234.56", "1234.56"),
        ("£12.50", "12.50"),
        ("12.50 GBP", "12.50"),
        ("0", "0.00"),
        ("9,999,999,999.99", "9999999999.99"),
        (Decimal("0.1"), "0.10"),
    ],
)
def test_amounts_as_people_type_them(world: World, typed: str | Decimal, kept: str) -> None:
    view = give(world, world.ana, world.ana_case, typed)
    assert str(view.amount) == kept
    assert str(stored_amount(world, view.id)) == kept


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("-5", "must not be negative"),
        ("-£5.00", "must not be negative"),
        ("12.505", "more than 2 decimal places"),
        ("12.500", "more than 2 decimal places"),
        (Decimal("0.001"), "more than 2 decimal places"),
        ("10000000000", "more than the largest amount kept"),
        ("NaN", "is not an amount"),
        ("Infinity", "is not an amount"),
        (Decimal("NaN"), "not NaN or infinity"),
        (Decimal("Infinity"), "not NaN or infinity"),
        ("", "is required"),
        ("1e3", "is not an amount"),
        ("12,50", "is not an amount"),
        ("$12.50", "another currency"),
        (0.1, "decimal number"),
    ],
)
def test_amounts_that_are_not_money_are_refused(world: World, typed: Any, words: str) -> None:
    error = refused(world, ValidationError, lambda: give(world, world.ana, world.ana_case, typed))
    assert isinstance(error, ValidationError) and error.field == "amount"
    assert words in error.message


def test_the_organisations_currency_is_read_from_its_settings(world: World) -> None:
    world.run(update_settings, world.admin, SettingsChanges(currency="EUR"))
    assert give(world, world.ana, world.ana_case, "€7.25").amount == Decimal("7.25")
    error = refused(world, ValidationError, lambda: give(world, world.ana, world.ana_case, "£7"))
    assert "EUR" in str(error)


def test_every_field_refused_is_named_at_once(world: World) -> None:
    error = refused(
        world,
        ValidationError,
        lambda: give(
            world,
            world.ana,
            world.ana_case,
            "-1",
            service_type="Yacht",
            provided_on="+2d",
            provider=" ",
            justification="",
            grant="Lottery",
        ),  # fmt: skip
    )
    fields = {e.field for e in error.errors}  # type: ignore[attr-defined]
    assert fields == {"service type", "date", "provider", "amount", "grant", "justification"}


def test_only_active_list_items_are_taken_for_a_new_service(
    world: World, grants: tuple[str, str]
) -> None:
    world.run(list_service.retire_item, world.admin, "service_types", "Travel")
    world.run(list_service.retire_item, world.admin, "grants", FUND)
    error = refused(world, ValidationError, lambda: give(world, world.ana, world.ana_case))
    assert error.field == "service type"  # type: ignore[attr-defined]
    error = refused(
        world,
        ValidationError,
        lambda: give(world, world.ana, world.ana_case, service_type="Food", grant=FUND),
    )
    assert error.field == "grant"  # type: ignore[attr-defined]


def test_a_retired_type_stays_on_the_service_that_has_it(
    world: World, grants: tuple[str, str]
) -> None:
    view = give(world, world.ana, world.ana_case, grant=FUND)
    world.run(list_service.retire_item, world.admin, "service_types", "Travel")
    world.run(list_service.retire_item, world.admin, "grants", FUND)
    edited = world.run(
        services.edit_service, world.ana, view.id,
        ServiceChanges(service_type="Travel", grant=FUND, provider="Metro Buses"),
    )  # fmt: skip
    assert (edited.service_type, edited.grant, edited.provider) == ("Travel", FUND, "Metro Buses")
    context = world.run(
        services.service_editor_context, world.ana, world.case_id(world.ana_case), view.id
    )
    assert "Travel" in context.service_types and FUND in context.grants
    fresh = world.run(services.service_editor_context, world.ana, world.case_id(world.ana_case))
    assert "Travel" not in fresh.service_types and FUND not in fresh.grants


def test_an_empty_list_says_who_fills_it(world: World) -> None:
    error = refused(
        world, ValidationError, lambda: give(world, world.ana, world.ana_case, grant="Any")
    )
    assert "no grants yet" in str(error) and "lists add grants" in str(error)


def test_a_service_is_dated_when_given_never_ahead(world: World) -> None:
    today = world.clock().date()
    assert give(world, world.ana, world.ana_case, provided_on="-30d").provided_on == today - (
        timedelta(days=30)
    )
    assert give(world, world.ana, world.ana_case, provided_on="2025-01-06").provided_on == date(
        2025, 1, 6
    )
    error = refused(
        world, ValidationError, lambda: give(world, world.ana, world.ana_case, provided_on="+1d")
    )
    assert "in the future" in str(error)


# --- money adds up exactly, in the database -------------------------------------------------


def test_ten_pence_and_twenty_pence_make_thirty(world: World) -> None:
    give(world, world.ana, world.ana_case, "0.10")
    give(world, world.ana, world.ana_case, "0.20")
    totals = world.run(services.service_totals, world.ana, world.ana_case)
    assert totals.amount == Decimal("0.30") and str(totals.amount) == "0.30"
    assert totals.services == 2


def test_many_small_amounts_add_up_to_the_penny(world: World) -> None:
    for _ in range(100):
        give(world, world.ana, world.ana_case, "0.01")
    for _ in range(10):
        give(world, world.ana, world.ana_case, "0.10")
    totals = world.run(services.service_totals, world.ana, world.ana_case)
    assert totals.amount == Decimal("2.00")


def test_totals_per_grant_and_overall(world: World, grants: tuple[str, str]) -> None:
    give(world, world.ana, world.ana_case, "10.10", grant=FUND)
    give(world, world.ana, world.ana_case, "0.20", grant=FUND)
    give(world, world.ana, world.ana_case, "5.05", grant=TRAVEL_FUND)
    give(world, world.ana, world.ana_case, "9,999,999,999.99")
    deleted = give(world, world.ana, world.ana_case, "100.00", grant=FUND)
    world.run(services.delete_service, world.ana, deleted.id)
    give(world, world.cara, world.cara_case, "70.00", grant=FUND)  # another case
    totals = world.run(services.service_totals, world.ana, world.ana_case)
    assert [(g.grant, g.amount, g.services) for g in totals.by_grant] == [
        (FUND, Decimal("10.30"), 2),
        (TRAVEL_FUND, Decimal("5.05"), 1),
        (None, Decimal("9999999999.99"), 1),
    ]
    # More than one service can hold: the total is still exact.
    assert totals.amount == Decimal("10000000015.34") and totals.services == 4
    panel = world.run(services.case_services, world.ana, world.case_id(world.ana_case))
    assert panel.totals == totals and len(panel.services) == 4 and panel.currency == "GBP"


def test_a_case_without_services_totals_nothing(world: World) -> None:
    totals = world.run(services.service_totals, world.ana, world.ana_case)
    assert (totals.amount, totals.services, totals.by_grant) == (Decimal("0.00"), 0, ())


def test_totals_of_a_case_out_of_sight_are_refused(world: World) -> None:
    give(world, world.cara, world.cara_case, "5.00")
    with pytest.raises(NotFound):
        world.run(services.service_totals, world.ana, world.cara_case)
    with pytest.raises(NotFound):
        world.run(services.case_services, world.ana, world.case_id(world.cara_case))


cents = st.integers(min_value=0, max_value=int(AMOUNT_MAX * 100)).map(
    lambda n: Decimal(n).scaleb(-2)
)


def test_any_amount_round_trips_exactly_and_adds_up_exactly(world: World) -> None:
    """Whatever amount goes in comes out to the penny; totals equal Decimal sums."""
    case_id = world.case_id(world.ana_case)

    @settings(
        max_examples=25 if world.is_postgres else 40,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(amounts=st.lists(cents, min_size=1, max_size=4))
    @example(amounts=[Decimal("0.10"), Decimal("0.20")])
    @example(amounts=[Decimal("9999999999.99"), Decimal("0.01"), Decimal("9999999999.99")])
    @example(amounts=[Decimal("0.07"), Decimal("1234567.89"), Decimal("0.03")])
    def check(amounts: list[Decimal]) -> None:
        world.sql("DELETE FROM supportive_service WHERE case_id = :c", c=case_id)
        for amount in amounts:
            for typed in (str(amount), f"£{amount:,}"):
                view = give(world, world.ana, world.ana_case, typed)
                assert view.amount == amount and str(view.amount) == f"{amount:.2f}"
                assert stored_amount(world, view.id) == amount
        totals = world.run(services.service_totals, world.ana, world.ana_case)
        assert totals.amount == 2 * sum(amounts, Decimal(0))
        assert str(totals.amount) == f"{2 * sum(amounts, Decimal(0)):.2f}"

    check()


# --- who may change one, audited, from the version seen ---------------------------------------


def _events(world: World, action: str) -> list[AuditEvent]:
    return [e for e in world.audit_events() if e.action == action]


def test_adding_editing_and_deleting_are_audited_before_and_after(
    world: World, grants: tuple[str, str]
) -> None:
    view = give(world, world.ana, world.ana_case, "12.50", grant=FUND)
    (added,) = _events(world, "service.add")
    assert (added.entity, added.entity_id, added.actor_username) == (
        "supportive_service", str(view.id), "ana",
    )  # fmt: skip
    assert json.loads(added.after or "{}")["amount"] == "12.50"

    edited = world.run(
        services.edit_service, world.ana, view.id,
        ServiceChanges(amount="13", grant="", justification="Weekly pass, not daily"),
        expected_version=1,
    )  # fmt: skip
    assert (edited.amount, edited.grant, edited.version) == (Decimal("13.00"), None, 2)
    (edit,) = _events(world, "service.edit")
    before, after = json.loads(edit.before or "{}"), json.loads(edit.after or "{}")
    assert (before["amount"], before["grant"], before["version"]) == ("12.50", FUND, 1)
    assert (after["amount"], after["grant"], after["version"]) == ("13.00", None, 2)
    assert after["justification"] == "Weekly pass, not daily" and after["deleted"] is False

    world.run(services.delete_service, world.sam, view.id, expected_version=2)
    (deleted,) = _events(world, "service.delete")
    assert json.loads(deleted.before or "{}")["deleted"] is False
    assert json.loads(deleted.after or "{}")["deleted"] is True
    assert deleted.actor_username == "sam" and deleted.case_id == world.case_id(world.ana_case)
    assert world.run(services.list_services, world.ana, world.ana_case) == []
    with pytest.raises(NotFound):
        world.run(services.open_service, world.ana, view.id)
    # Kept in the database, not on the case.
    row = world.read(lambda uow: uow.session.get(SupportiveService, view.id))
    assert row.deleted_at is not None and row.amount == Decimal("13.00")


def test_an_edit_that_changes_nothing_is_refused(world: World) -> None:
    view = give(world, world.ana, world.ana_case, "12.50")
    error = refused(
        world,
        ValidationError,
        lambda: world.run(
            services.edit_service, world.ana, view.id, ServiceChanges(amount="£12.5")
        ),
    )
    assert "nothing to change" in str(error)


def test_an_edit_from_an_older_version_is_refused_naming_who_saved(world: World) -> None:
    view = give(world, world.ana, world.ana_case, "12.50")
    world.run(
        services.edit_service, world.sam, view.id, ServiceChanges(amount="20"), expected_version=1
    )
    error = refused(
        world,
        StaleEdit,
        lambda: world.run(
            services.edit_service,
            world.ana,
            view.id,
            ServiceChanges(amount="15"),
            expected_version=1,
        ),  # fmt: skip
    )
    assert isinstance(error, StaleEdit) and error.current_version == 2
    assert "Sam (sam)" in str(error) and "supportive service" in str(error)
    refused(
        world,
        StaleEdit,
        lambda: world.run(services.delete_service, world.ana, view.id, expected_version=1),
    )
    assert stored_amount(world, view.id) == Decimal("20.00")


def test_services_are_not_locked_by_the_note_lock(world: World) -> None:
    view = give(world, world.ana, world.ana_case, "12.50")
    world.clock.advance(timedelta(days=60))
    edited = world.run(services.edit_service, world.ana, view.id, ServiceChanges(amount="12.60"))
    assert edited.amount == Decimal("12.60")


def test_someone_elses_service_is_for_supervisors_and_administrators(world: World) -> None:
    view = give(world, world.ben, world.ben_case, "12.50")  # ana navigates ben's case
    error = refused(
        world,
        PermissionDenied,
        lambda: world.run(services.edit_service, world.ana, view.id, ServiceChanges(amount="1")),
    )
    assert "recorded by someone else" in str(error)
    world.run(services.edit_service, world.sam, view.id, ServiceChanges(amount="1"))
    world.run(services.delete_service, world.admin, view.id)


def test_a_service_out_of_sight_is_not_found(world: World) -> None:
    view = give(world, world.cara, world.cara_case, "12.50")
    for attempt in (
        lambda: world.run(services.open_service, world.ana, view.id),
        lambda: world.run(services.edit_service, world.ana, view.id, ServiceChanges(amount="1")),
        lambda: world.run(services.delete_service, world.ana, view.id),
        lambda: world.run(services.list_services, world.ana, world.cara_case),
        lambda: world.run(services.open_service, world.ana, 2**70),
    ):
        refused(world, NotFound, attempt)


def test_listing_with_export_is_an_audit_event(world: World) -> None:
    give(world, world.ana, world.ana_case, "1.00")
    give(world, world.ana, world.ana_case, "2.00")
    world.run(services.list_services, world.audrey, world.ana_case, export=True)
    (event,) = _events(world, "export")
    assert (event.entity, event.actor_username) == ("services", "audrey")
    assert json.loads(event.after or "{}") == {"rows": 2, "case": world.ana_case}


def test_the_timeline_shows_services_with_their_amounts(world: World) -> None:
    from casetui.domain.timeline import SERVICE
    from casetui.services import timeline as timeline_service

    view = give(world, world.ana, world.ana_case, "0.10")
    timeline = world.run(timeline_service.load_timeline, world.ana, world.case_id(world.ana_case))
    (entry,) = [e for e in timeline.entries if e.kind == SERVICE]
    assert (entry.id, entry.amount, entry.summary) == (view.id, Decimal("0.10"), "Travel")
    assert services.may_change_service(timeline.access, entry)
    supervisor = world.run(
        timeline_service.load_timeline, world.sam, world.case_id(world.ana_case)
    ).access
    assert services.may_change_service(supervisor, entry)
    # ana navigates ben's case: she may record services on it, not change ben's.
    bens = give(world, world.ben, world.ben_case, "3.00")
    navigator = world.run(timeline_service.load_timeline, world.ana, world.case_id(world.ben_case))
    (theirs,) = [e for e in navigator.entries if e.kind == SERVICE and e.id == bens.id]
    assert services.may_add_service(navigator.access)
    assert not services.may_change_service(navigator.access, theirs)


# --- money as text: what is shown reads back as the same amount ------------------------------


@settings(max_examples=300, deadline=None, database=None)
@given(amount=cents, currency=st.sampled_from(["GBP", "EUR", "USD", "CHF", "JPY"]))
def test_an_amount_shown_reads_back_exactly(amount: Decimal, currency: str) -> None:
    from casetui.domain.money import format_money, parse_amount, plain_amount

    shown = format_money(amount, currency)
    assert parse_amount(shown, currency) == amount
    assert parse_amount(plain_amount(amount), currency) == amount
    assert plain_amount(amount) == f"{amount:.2f}"


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("1234.5", "GBP", "£1,234.50"),
        ("0.1", "EUR", "€0.10"),
        ("12", "USD", "$12.00"),
        ("9999999999.99", "CHF", "CHF 9,999,999,999.99"),
    ],
)
def test_amounts_are_shown_with_the_organisations_currency(
    amount: str, currency: str, shown: str
) -> None:
    from casetui.domain.money import format_money

    assert format_money(Decimal(amount), currency) == shown
