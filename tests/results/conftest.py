"""Fixtures of the results tests."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def race(blog):
    """A race on the blog with its two candidates (modules may define their own)."""
    race = factories.RaceFactory(slug="president")
    factories.CandidateFactory(race=race, name="Kamala Harris")
    factories.CandidateFactory(race=race, name="Donald Trump")
    blog.races.add(race)
    return race
