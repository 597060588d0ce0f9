"""The results header's words: units in their own plural, a state's winner named with it."""

from __future__ import annotations

import pytest

from results.models import Race
from results.selectors import RaceBoard, plural


@pytest.mark.parametrize(
    ("word", "count", "said"),
    [("county", 7, "counties"), ("county", 1, "county"), ("precinct", 2, "precincts"),
     ("town", 0, "towns"), ("district", 3, "districts"), ("box", 2, "boxes"),
     ("survey", 2, "surveys"), ("results", 2, "results")],
)  # fmt: skip
def test_units_are_counted_in_their_own_plural(word, count, said):
    assert plural(word, count) == said


@pytest.mark.parametrize(
    ("level", "postal", "place"),
    [("state", "PA", "Pennsylvania"), ("national", "US", ""), ("state", "", "")],
)
def test_a_state_race_names_its_state_for_the_banner(level, postal, place):
    race = Race(name="Race", level=level, state_postal=postal, unit_label="county")
    board = RaceBoard(race=race, snapshot=None, lines=[], winner=None)
    assert board.place == place
    assert board.units_to_go == "0 counties to go"


@pytest.mark.django_db
def test_a_blogs_national_race_comes_before_its_states_on_the_header():
    from results.selectors import race_boards
    from tests import factories

    alabama = factories.RaceFactory(slug="alabama", name="Alabama President")
    national = factories.RaceFactory(slug="us", name="United States President", level="national")
    zeta = factories.RaceFactory(slug="zeta", name="Zeta measure")
    boards = race_boards([zeta.pk, alabama.pk, national.pk], with_history=False)
    assert [b.race.slug for b in boards] == ["us", "alabama", "zeta"]
