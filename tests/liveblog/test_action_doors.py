"""Every action × role × post state through every door (the live desk, the admin, the
partner API): each door offers what the action registry offers, and answers each action
as the registry and the services do, status code included."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.db import transaction
from django.test import Client

from liveblog import actions
from liveblog.models import Post
from partners.models import PartnerKey, Scope
from tests import factories
from tests.api.conftest import client_for
from tests.liveblog.test_workflow import STATES

pytestmark = pytest.mark.django_db
LATER = datetime(2099, 6, 1, 12, 0, tzinfo=UTC)
FORMS = {  # what a person types in each action's form (the desk's dialog, the admin's page)
    "schedule": {"publish_at": "2099-06-01T12:00:00"},
    "retract": {"reason": "Wrong call"},
    "return_to_draft": {"note": "A second source, please."},
}
API = {  # each action as the partner API spells it: endpoint and body
    "submit": ("submit", {}),
    "return_to_draft": ("return-to-draft", {"note": "A second source, please."}),
    "publish": ("publish", {}),
    "schedule": ("publish", {"at": LATER.isoformat()}),
    "unschedule": ("unschedule", {}),
    "pin": ("pin", {"pinned": True}),
    "unpin": ("pin", {"pinned": False}),
    "mark_key_event": ("key-event", {"key_event": True}),
    "unmark_key_event": ("key-event", {"key_event": False}),
    "retract": ("retract", {"reason": "Wrong call"}),
}
OK = "ok"


class _Undo(Exception):
    pass


def expected(name: str, user, post: Post) -> str | int:
    """The registry's own answer, taken and rolled back: OK or the refusal's status."""
    action = actions.REGISTRY[name]
    data = {"version": post.version, "publish_at": LATER, "reason": "Wrong call", "note": "x"}
    try:
        with transaction.atomic():
            action.run(Post.objects.get(pk=post.pk), user, data)
            raise _Undo
    except _Undo:
        return OK
    except actions.REFUSALS as error:
        return actions.refusal_status(error)


def through_desk(client: Client, post: Post, name: str) -> str | int:
    url = f"/admin/desk/{post.blog.slug}/posts/{post.pk}/{name}/"
    answer = client.post(url, {"version": post.version, **FORMS.get(name, {})})
    return OK if answer.status_code == 200 else answer.status_code


def through_admin(client: Client, post: Post, name: str) -> str | int:
    url = f"/admin/liveblog/post/{post.pk}/do/{name}/"
    answer = client.post(url, {"version": post.version, **FORMS.get(name, {})})
    return OK if answer.status_code == 302 else answer.status_code


def through_api(api, post: Post, name: str) -> str | int:
    endpoint, body = API[name]
    url = f"/api/v1/blogs/{post.blog.slug}/posts/{post.pk}/{endpoint}/"
    answer = api.post(url, body, format="json", HTTP_IF_MATCH=f'"v{post.version}"')
    return OK if answer.status_code == 200 else answer.status_code


def desk_offer(client: Client, post: Post) -> set[str] | None:
    """The workflow buttons the desk shows on the post's card; None if it shows no card."""
    page = client.get(f"/admin/desk/{post.blog.slug}/regions/?only=queue,timeline")
    html = page.content.decode()
    if f'data-post="{post.pk}"' not in html:
        return None
    named = re.findall(rf"/admin/desk/{post.blog.slug}/posts/{post.pk}/([a-z_]+)/", html)
    return set(named) - {"lock", "release"}


def admin_offer(client: Client, post: Post) -> set[str] | None:
    page = client.get(f"/admin/liveblog/post/{post.pk}/change/")
    if page.status_code != 200:
        return None
    return set(re.findall(rf"/admin/liveblog/post/{post.pk}/do/([a-z_]+)/", page.content.decode()))


def users(reporter):
    return {
        "author": reporter,
        "other reporter": factories.reporter(username="someone"),
        "editor": factories.editor(username="boss"),
    }


@pytest.mark.parametrize("state", list(STATES))
@pytest.mark.parametrize("who", ["author", "other reporter", "editor"])
def test_every_door_offers_and_answers_every_action_alike(blog, reporter, who, state):
    user = users(reporter)[who]
    browser = Client()
    browser.force_login(user)
    _, secret = PartnerKey.objects.create_key(
        scopes=[Scope.LIVEBLOG_READ, Scope.LIVEBLOG_WRITE], user=user, name="desk", partner="Us"
    )
    api = client_for(secret)

    def fresh() -> Post:
        Post.objects.filter(blog=blog, pinned=True).update(pinned=False)  # one pin a blog
        return factories.PostFactory(blog=blog, author=reporter, **STATES[state])

    post = fresh()
    buttons = {offer.name for offer in actions.buttons(user, post)}
    assert api.get(f"/api/v1/blogs/{blog.slug}/posts/{post.pk}/actions/").json()["actions"] == (
        actions.offered(user, post)
    )
    for door, offer in (("desk", desk_offer(browser, post)), ("admin", admin_offer(browser, post))):
        assert offer in (None, buttons), f"{who}, {state} post: the {door} offers {offer}"

    answers = {}
    for name in actions.BUTTONS:
        want = expected(name, user, fresh())
        got = {
            "desk": through_desk(browser, fresh(), name),
            "admin": through_admin(browser, fresh(), name),
            "api": through_api(api, fresh(), name),
        }
        answers[name] = (want, got)
        assert set(got.values()) == {want}, f"{who}, {name} on a {state} post: {want}, {got}"
        if name in buttons:
            assert want == OK, f"{who} is offered {name} on a {state} post, then refused"
