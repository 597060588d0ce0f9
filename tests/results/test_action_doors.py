"""Every results action × role × state through the results admin: each page offers what
the registry (``results.actions``) offers, and each action is answered as the registry
and the services answer it, status code included."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from newsroom.actions import REFUSALS, Registry, refusal_status, registries
from results import actions, services
from results.counts import CandidateCount
from results.models import Race, ResultSnapshot, WinnerCall
from tests import factories

pytestmark = pytest.mark.django_db
OK = "ok"
AS_OF = datetime(2024, 11, 6, 20, 0, tzinfo=UTC)


class _Undo(Exception):
    pass


def people():
    results_desk = factories.UserFactory(username="results-desk")  # staff, no liveblog role
    results_desk.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="results",
        codename__in=["view_race", "view_winnercall", "view_resultsnapshot",
                      "change_winnercall", "add_winnercall", "add_resultsnapshot"],
    ))  # fmt: skip
    return {
        "caller": factories.editor(username="caller"),
        "second editor": factories.editor(username="second"),
        "results desk": results_desk,
        "reporter": factories.reporter(username="rep"),
    }


def new_race() -> Race:
    race = factories.RaceFactory()
    factories.CandidateFactory(race=race, name="Kamala Harris")
    factories.CandidateFactory(race=race, name="Donald Trump")
    return race


def a_call(caller, *, confirmed_by=None, withdrawn=False, correction_by=None) -> WinnerCall:
    race = new_race()
    harris, trump = race.candidates.all()
    call = services.winner_call(race=race, candidate=trump, by=caller, source="Desk")
    if confirmed_by is not None:
        call = services.winner_confirm(call=call, by=confirmed_by)
    if correction_by is not None:
        services.winner_correct(call=call, candidate=harris, by=correction_by, note="Recount")
    if withdrawn:
        call = services.winner_withdraw(call=call, by=caller, reason="Too early")
    return call


def a_snapshot(void_by=None) -> ResultSnapshot:
    race = new_race()
    snapshot, _ = services.snapshot_record(race=race, as_of=AS_OF, source="Desk", source_seq="1",
                                           counts=[CandidateCount("Donald Trump", 10),
                                                   CandidateCount("Kamala Harris", 9)])  # fmt: skip
    if void_by is not None:
        snapshot = services.snapshot_void(snapshot=snapshot, by=void_by, reason="Typo")
    return snapshot


def subjects(who):
    """Each subject in each state it can be in, made afresh for every try."""
    caller, second = who["caller"], who["second editor"]

    def called_race() -> Race:
        return a_call(caller).race

    def shown_race() -> Race:
        return a_call(caller, confirmed_by=second).race

    return {
        "race without a call": new_race,
        "race with a pending call": called_race,
        "race with a shown call": shown_race,
        "pending call": lambda: a_call(caller),
        "shown call": lambda: a_call(caller, confirmed_by=second),
        "shown call being corrected": lambda: a_call(
            caller, confirmed_by=second, correction_by=caller
        ),
        "withdrawn call": lambda: a_call(caller, withdrawn=True),
        "standing snapshot": a_snapshot,
        "void snapshot": lambda: a_snapshot(void_by=caller),
    }


def form_data(name: str, subject) -> dict[str, object]:
    """What a person types in the action's page."""
    if name == "record":
        harris, trump = subject.candidates.all()
        return {"as_of_0": "2024-11-06", "as_of_1": "21:00:00", "source": "Desk",
                "source_seq": "2", "units_reporting": "", "units_total": "", "total_votes": "",
                f"votes_{harris.pk}": "100", f"electoral_{harris.pk}": "",
                f"votes_{trump.pk}": "120", f"electoral_{trump.pk}": "",
                "confirm": "1"}  # fmt: skip
    if name == "call":
        return {"candidate": subject.candidates.get(name="Kamala Harris").pk, "source": "Desk"}
    if name == "correct":
        return {"candidate": subject.race.candidates.exclude(pk=subject.candidate_id).get().pk,
                "note": "Recount"}  # fmt: skip
    if name in ("withdraw", "void"):
        return {"reason": "Wrong"}
    return {}


def cleaned(name: str, subject) -> dict[str, object]:
    """The same, as the action's form hands it to the service."""
    form = actions.RACES.get(name) or actions.CALLS.get(name) or actions.SNAPSHOTS[name]
    bound = form.bind(form_data(name, subject), subject)
    if bound is None:
        return {}
    assert bound.is_valid(), bound.errors
    return bound.cleaned_data


def expected(registry: Registry, name: str, user, subject) -> str | int:
    """The registry's own answer, taken and rolled back: OK or the refusal's status."""
    try:
        with transaction.atomic():
            registry[name].run(subject, user, cleaned(name, subject))
            raise _Undo
    except _Undo:
        return OK
    except REFUSALS as error:
        return refusal_status(error)


URLS = {"race": "results_race", "winnercall": "results_call", "resultsnapshot": "results_snapshot"}


def through_admin(client: Client, name: str, subject) -> str | int:
    url = reverse(f"admin:{URLS[subject._meta.model_name]}_{name}", args=[subject.pk])
    answer = client.post(url, form_data(name, subject))
    return OK if answer.status_code == 302 else answer.status_code


def admin_offer(client: Client, subject) -> set[str]:
    """The actions the admin links to for ``subject``: on a race's page, or on its row of
    the calls' or snapshots' list."""
    model = subject._meta.model_name
    if model == "race":
        page = client.get(reverse("admin:results_race_change", args=[subject.pk]))
    else:
        page = client.get(reverse(f"admin:results_{model}_changelist"))
    prefix = f"/admin/results/{model}/{subject.pk}/"
    return set(re.findall(rf"{prefix}([a-z_]+)/", page.content.decode())) - {"change", "history"}


def test_every_results_action_is_in_the_one_registry():
    every = {label: list(registry) for label, registry in registries().items()}
    assert every["results.race"] == ["record", "call"]
    assert every["results.winnercall"] == ["confirm", "reject", "correct", "withdraw"]
    assert every["results.resultsnapshot"] == ["void"]
    assert "publish" in every["liveblog.post"]


@pytest.mark.parametrize("who", ["caller", "second editor", "results desk", "reporter"])
def test_the_results_admin_offers_and_answers_every_action_as_the_registry(who, blog):
    everyone = people()
    user = everyone[who]
    browser = Client()
    browser.force_login(user)
    for state, make in subjects(everyone).items():
        subject = make()
        registry = registries()[subject._meta.label_lower]
        offered = set(registry.offered(user, subject))
        if user.has_perm(f"results.view_{subject._meta.model_name}"):
            assert admin_offer(browser, subject) == offered, f"{who}, {state}"
        for name in registry:
            want = expected(registry, name, user, make())
            got = through_admin(browser, name, make())
            assert got == want, f"{who}, {name} on a {state}: the admin says {got}, not {want}"
            if name in offered:
                assert want == OK, f"{who} is offered {name} on a {state}, then refused"


def test_a_second_editor_confirms_from_the_calls_list_in_two_clicks(client, editor, second_editor):
    call = a_call(editor)
    client.force_login(second_editor)
    listed = client.get(reverse("admin:results_winnercall_changelist")).content.decode()
    confirm = reverse("admin:results_call_confirm", args=[call.pk])
    assert f'href="{confirm}"' in listed  # one click to its page
    page = client.get(confirm)
    assert "Confirm the call" in page.content.decode()
    answer = client.post(confirm)  # the page's one button
    assert answer.status_code == 302
    call.refresh_from_db()
    assert call.confirmed_by == second_editor
    assert call.confirmed_at <= timezone.now()


def test_a_page_the_registry_refuses_says_why_with_its_status(client, editor, reporter):
    call = a_call(editor)
    confirm = reverse("admin:results_call_confirm", args=[call.pk])
    client.force_login(editor)
    page = client.get(confirm)
    assert page.status_code == 400
    assert "A second editor must confirm the call you made." in page.content.decode()
    assert (
        f'href="{confirm}"'
        not in client.get(reverse("admin:results_winnercall_changelist")).content.decode()
    )
    client.force_login(reporter)
    assert client.get(confirm).status_code == 403
    assert WinnerCall.objects.get().confirmed_at is None


def test_a_call_is_checked_on_the_race_as_locked_not_on_a_list_s_stale_copy(editor):
    race = new_race()
    harris, trump = race.candidates.all()
    stale = Race.objects.get(pk=race.pk)
    stale.has_standing_call = False  # what a desk's list knew before another editor called
    services.winner_call(race=race, candidate=trump, by=editor, source="Desk")
    with pytest.raises(ValidationError, match="already has a call"):
        services.winner_call(race=stale, candidate=harris, by=editor, source="Desk")
    assert WinnerCall.objects.filter(race=race).count() == 1


def test_the_calls_list_costs_the_same_queries_with_two_calls_or_ten(client, editor, second_editor):
    client.force_login(second_editor)
    url = reverse("admin:results_winnercall_changelist")

    def shown_calls(count: int) -> None:
        for _ in range(count):
            a_call(editor, confirmed_by=second_editor)

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    shown_calls(2)
    cost()  # warm the caches (content types, permissions)
    two = cost()
    shown_calls(8)
    page = client.get(url).content.decode()
    assert page.count("/correct/") == 10  # every row offers its correction…
    assert cost() == two  # …without a query a row
