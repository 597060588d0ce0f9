"""Editors order the races on a blog's results header (national first until they do):
from the desk, one place at a time; readers' pages follow through the change log."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from liveblog import services
from liveblog.models import Change
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def races(blog):
    alabama = factories.RaceFactory(slug="al", name="Alabama President", level="state")
    national = factories.RaceFactory(slug="us", name="United States President", level="national")
    senate = factories.RaceFactory(slug="az-senate", name="Arizona Senate", level="state")
    for race in (senate, alabama, national):
        factories.CandidateFactory(race=race, name=f"A {race.slug}")
        blog.races.add(race)
    return {"national": national, "alabama": alabama, "senate": senate}


def shown(blog) -> list[str]:
    page = Client().get(blog.get_absolute_url()).content.decode()
    return re.findall(r'<span class="strip-name">(.*?)</span>', page)


def test_national_first_then_by_name_until_editors_choose(blog, races):
    assert shown(blog) == ["United States President", "Alabama President", "Arizona Senate"]


def test_an_editor_moves_a_race_up_from_the_desk_and_readers_see_it(
    blog, races, editor, client, committed
):
    client.force_login(editor)
    before = Change.objects.filter(blog=blog).count()

    with committed():  # what readers' pages hear of happens after the commit
        answer = client.post(f"/admin/desk/{blog.slug}/races/{races['senate'].pk}/up/")

    assert answer.status_code == 200
    assert "Arizona Senate moved up." in answer.content.decode()
    assert shown(blog) == ["United States President", "Arizona Senate", "Alabama President"]
    assert list(Change.objects.filter(blog=blog).values_list("kind", flat=True)[before:]) == [
        Change.Kind.RESULTS
    ]
    with committed():
        client.post(f"/admin/desk/{blog.slug}/races/{races['senate'].pk}/up/")
    assert shown(blog)[0] == "Arizona Senate"
    # Already first: nothing moves, nothing is announced.
    count = Change.objects.filter(blog=blog).count()
    client.post(f"/admin/desk/{blog.slug}/races/{races['senate'].pk}/up/")
    assert Change.objects.filter(blog=blog).count() == count


def test_a_race_added_later_follows_the_chosen_order(blog, races, editor):
    services.blog_move_race(blog=blog, by=editor, race=races["senate"], direction="up")
    services.blog_move_race(blog=blog, by=editor, race=races["senate"], direction="up")
    later = factories.RaceFactory(slug="ga", name="Georgia President", level="state")
    factories.CandidateFactory(race=later, name="Someone")
    services.blog_show_races(blog=blog, by=editor, races=[later])

    assert shown(blog) == ["Arizona Senate", "United States President", "Alabama President",
                           "Georgia President"]  # fmt: skip


def test_a_reporter_may_not_order_races_and_is_offered_no_buttons(blog, races, reporter, client):
    client.force_login(reporter)

    answer = client.post(f"/admin/desk/{blog.slug}/races/{races['senate'].pk}/up/")

    assert answer.status_code == 403
    assert shown(blog)[0] == "United States President"
    desk = client.get(f"/admin/desk/{blog.slug}/").content.decode()
    assert "Order on the live page" not in desk


def test_the_desk_offers_editors_the_order(blog, races, editor, client):
    client.force_login(editor)
    desk = client.get(f"/admin/desk/{blog.slug}/").content.decode()
    assert "Order on the live page" in desk
    assert 'aria-label="Move United States President up" disabled' in desk
    assert 'aria-label="Arizona Senate down"' not in desk
    assert 'aria-label="Move Arizona Senate down" disabled' in desk
