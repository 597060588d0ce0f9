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
