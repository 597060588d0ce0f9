"""The states of the United States: names, electoral votes of 2024, and each one's tile
on an equal-area tile map (row, column), as results pages draw them."""

from __future__ import annotations

from typing import NamedTuple


class State(NamedTuple):
    name: str
    row: int
    column: int


STATES: dict[str, State] = {
    "AK": State("Alaska", 0, 0), "ME": State("Maine", 0, 11),
    "VT": State("Vermont", 1, 10), "NH": State("New Hampshire", 1, 11),
    "WA": State("Washington", 2, 1), "ID": State("Idaho", 2, 2), "MT": State("Montana", 2, 3),
    "ND": State("North Dakota", 2, 4), "MN": State("Minnesota", 2, 5),
    "IL": State("Illinois", 2, 6), "WI": State("Wisconsin", 2, 7),
    "MI": State("Michigan", 2, 8), "NY": State("New York", 2, 9),
    "RI": State("Rhode Island", 2, 10), "MA": State("Massachusetts", 2, 11),
    "OR": State("Oregon", 3, 1), "NV": State("Nevada", 3, 2), "WY": State("Wyoming", 3, 3),
    "SD": State("South Dakota", 3, 4), "IA": State("Iowa", 3, 5), "IN": State("Indiana", 3, 6),
    "OH": State("Ohio", 3, 7), "PA": State("Pennsylvania", 3, 8),
    "NJ": State("New Jersey", 3, 9), "CT": State("Connecticut", 3, 10),
    "CA": State("California", 4, 1), "UT": State("Utah", 4, 2), "CO": State("Colorado", 4, 3),
    "NE": State("Nebraska", 4, 4), "MO": State("Missouri", 4, 5),
    "KY": State("Kentucky", 4, 6), "WV": State("West Virginia", 4, 7),
    "VA": State("Virginia", 4, 8), "MD": State("Maryland", 4, 9),
    "DE": State("Delaware", 4, 10),
    "AZ": State("Arizona", 5, 2), "NM": State("New Mexico", 5, 3), "KS": State("Kansas", 5, 4),
    "AR": State("Arkansas", 5, 5), "TN": State("Tennessee", 5, 6),
    "NC": State("North Carolina", 5, 7), "SC": State("South Carolina", 5, 8),
    "DC": State("District of Columbia", 5, 9),
    "OK": State("Oklahoma", 6, 4), "LA": State("Louisiana", 6, 5),
    "MS": State("Mississippi", 6, 6), "AL": State("Alabama", 6, 7), "GA": State("Georgia", 6, 8),
    "HI": State("Hawaii", 7, 0), "TX": State("Texas", 7, 4), "FL": State("Florida", 7, 9),
}  # fmt: skip
ROWS, COLUMNS = 8, 12


class OfficeTotals(NamedTuple):
    at_stake: int  # electoral votes in all
    contests: int  # state contests


# National offices whose totals are known before any state reports (a general election).
NATIONAL_OFFICES = {"president": OfficeTotals(at_stake=538, contests=len(STATES))}


def office_totals(office: str) -> OfficeTotals | None:
    return NATIONAL_OFFICES.get(office.strip().lower())


def state_name(postal: str) -> str:
    state = STATES.get(postal.upper())
    return state.name if state else ""
