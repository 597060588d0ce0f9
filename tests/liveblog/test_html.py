"""Hostile bodies are made safe; real newsroom formatting survives."""

from __future__ import annotations

import pytest

from liveblog.html import body_text, sanitize_body


@pytest.mark.parametrize(
    "hostile",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<p onclick="alert(1)">x</p>',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
        "<iframe src='https://evil.example'></iframe>",
        "<style>body{display:none}</style>",
        '<svg onload="alert(1)"></svg>',
        '<p style="background:url(javascript:alert(1))">x</p>',
        "<object data='x'></object><embed src='x'>",
        '<form action="https://evil.example"><input name="q"></form>',
    ],
)
def test_hostile_markup_is_removed(hostile):
    clean = sanitize_body(hostile).lower()
    for needle in ("<script", "onerror", "onclick", "onload", "javascript:", "data:", "<iframe",
                   "<style", "<svg", "style=", "<object", "<embed", "<form", "<input"):  # fmt: skip
        assert needle not in clean


def test_real_formatting_survives():
    body = (
        "<p>Harris says: <strong>“Don’t give up”</strong> and <em>means it</em>.</p>"
        "<blockquote><p>The fight for our country is always worth it.</p></blockquote>"
        '<p>Read <a href="https://www.bbc.co.uk/news">the results</a>.</p>'
        "<ul><li>Georgia</li><li>Pennsylvania</li></ul><ol><li>One</li></ol><h2>Analysis</h2>"
    )
    clean = sanitize_body(body)
    for kept in ("<strong>", "<em>", "<blockquote>", "<ul>", "<li>Georgia</li>", "<ol>", "<h2>"):
        assert kept in clean
    assert '<a href="https://www.bbc.co.uk/news" rel="noopener noreferrer">the results</a>' in clean


def test_script_content_is_dropped_not_shown_as_text():
    assert sanitize_body("<p>Hi</p><script>alert('x')</script>") == "<p>Hi</p>"


def test_plain_text_becomes_paragraphs():
    assert sanitize_body("First line\nsame para\n\nSecond <b>bold</b>") == (
        "<p>First line<br>same para</p><p>Second <b>bold</b></p>"
    )


def test_empty_body_stays_empty():
    assert sanitize_body("   ") == ""


def test_body_text_for_feeds():
    assert (
        body_text("<p>Trump&nbsp;wins</p><p>Harris  concedes</p>") == "Trump wins Harris concedes"
    )


def test_tables_survive_with_bounded_spans():
    body = (
        '<table style="border:1px"><tbody><tr><th colspan="2">Exit poll</th></tr>'
        '<tr><td class="x">Age 18-29</td><td rowspan="99999" onclick="x()">54% Harris</td></tr>'
        '<tr><td colspan="two">?</td><td colspan="-3">!</td></tr></tbody></table>'
    )
    clean = sanitize_body(body)
    assert clean == (
        '<table><tbody><tr><th colspan="2">Exit poll</th></tr>'
        '<tr><td>Age 18-29</td><td rowspan="20">54% Harris</td></tr>'
        '<tr><td>?</td><td colspan="1">!</td></tr></tbody></table>'
    )
    assert body_text(clean) == "Exit poll Age 18-29 54% Harris ? !"


def test_a_numbered_list_start_is_bounded():
    assert (
        sanitize_body('<ol start="99999999999"><li>x</li></ol>')
        == '<ol start="10000"><li>x</li></ol>'
    )


@pytest.mark.parametrize(
    ("body", "clean"),
    [
        ('<p>See <a href="javascript:alert(1)">this</a>.</p>', "<p>See this.</p>"),
        ('<p>An <a href="">empty</a> link</p>', "<p>An empty link</p>"),
        ('<p>A <a rel="nofollow">rel only</a> link</p>', "<p>A rel only link</p>"),
        ('<p><a title="t">titled <em>only</em></a></p>', "<p>titled <em>only</em></p>"),
    ],
)
def test_a_link_left_without_an_address_keeps_its_words_and_loses_the_tag(body, clean):
    """The cleaner adds rel to every link; one whose href it dropped would be left as
    `<a rel=...>` without href, which the Nu checker refuses (and nobody can follow)."""
    assert sanitize_body(body) == clean


def test_a_real_link_beside_a_dead_one_keeps_its_address():
    body = '<p><a href="javascript:x">dead</a> and <a href="https://www.bbc.co.uk/">alive</a></p>'
    assert sanitize_body(body) == (
        '<p>dead and <a href="https://www.bbc.co.uk/" rel="noopener noreferrer">alive</a></p>'
    )


@pytest.mark.django_db
def test_bodies_stored_with_a_dead_link_are_cleaned_by_the_migration():
    import importlib

    from django.apps import apps

    from liveblog.models import Post
    from tests import factories

    migration = importlib.import_module("liveblog.migrations.0010_unwrap_dead_links")
    dead = factories.PostFactory(body='<p><a rel="noopener noreferrer">words</a> stay</p>')
    alive = factories.PostFactory(
        body='<p><a href="https://a.example/" rel="noopener noreferrer">x</a></p>'
    )
    migration.unwrap(apps, None)
    assert Post.objects.get(pk=dead.pk).body == "<p>words stay</p>"
    assert Post.objects.get(pk=alive.pk).body == alive.body
