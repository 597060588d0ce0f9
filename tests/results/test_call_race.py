"""Two editors call one race at the same moment (PostgreSQL, real transactions in two
threads): one call stands, the other editor is told so; nobody gets a 500 from the
one-standing-call-per-race constraint."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from results.models import WinnerCall
from results.services import winner_call
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_editors_calling_at_the_same_moment_get_one_call_and_a_refusal():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: run with DATABASE_URL=postgres://…")
    race = factories.RaceFactory()
    harris, trump = (factories.CandidateFactory(race=race) for _ in range(2))
    first_editor, second_editor = factories.editor(username="c1"), factories.editor(username="c2")
    first_has_called, first_may_commit = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def call_first() -> None:
        try:
            with transaction.atomic():  # hold the first call open, uncommitted
                winner_call(race=race, candidate=trump, by=first_editor, source="AP")
                first_has_called.set()
                first_may_commit.wait(10)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=call_first)
    thread.start()
    assert first_has_called.wait(10)
    threading.Timer(0.5, first_may_commit.set).start()
    # The second editor waits for the first call to commit, then is refused cleanly.
    with pytest.raises(ValidationError, match="already has a call: correct it"):
        winner_call(race=race, candidate=harris, by=second_editor, source="AP")
    thread.join(10)
    assert errors == []
    assert list(WinnerCall.objects.values_list("candidate", flat=True)) == [trump.pk]
