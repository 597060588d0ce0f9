"""The shipped demo content must be exactly what the parser makes of the BBC reference captures.

The facts below are copied by hand from the captures, so neither the parser nor ``content.json``
can drift without a test failing. No database is needed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from liveblog.demo import reference

REFERENCE_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "reference"
CONTENT_JSON = Path(reference.__file__).with_name("content.json")

needs_reference = pytest.mark.skipif(
    not REFERENCE_DIR.is_dir(),
    reason=f"reference captures not available at {REFERENCE_DIR}; cannot regenerate content.json",
)


@pytest.fixture(scope="module")
def content() -> dict[str, Any]:
    return json.loads(CONTENT_JSON.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def posts(content: dict[str, Any]) -> list[dict[str, Any]]:
    return content["posts"]


@needs_reference
def test_parsing_reference_reproduces_shipped_content(content: dict[str, Any]) -> None:
    built = reference.build_demo_content(REFERENCE_DIR)
    assert built == content
    # Byte-exact too, so regenerating the file never produces a spurious diff.
    assert reference.render_json(built) == CONTENT_JSON.read_text(encoding="utf-8")


def test_document_shape(content: dict[str, Any]) -> None:
    assert list(content) == ["source", "blog", "summary", "posts", "results"]
    assert content["blog"]["slug"] == "us-election-2024"
    assert content["blog"]["title"] == "US Election 2024"
    assert content["blog"]["coverage_start"] == "2024-11-05T23:00:00+00:00"
    assert len(content["summary"]) == 4
    for post in content["posts"]:
        assert list(post) == ["title", "published_at", "label", "contributors", "body", "media"]


def test_twenty_posts_newest_first(posts: list[dict[str, Any]]) -> None:
    assert len(posts) == 20
    assert posts[0]["title"] == "Biden invites president-elect to White House - Trump campaign"
    assert posts[0]["published_at"] == "2024-11-07T00:31:00+00:00"
    assert posts[-1]["title"] == "'It's gonna be okay,' Harris tells young supporters"
    assert posts[-1]["published_at"] == "2024-11-06T21:40:00+00:00"
    times = [post["published_at"] for post in posts]
    assert times == sorted(times, reverse=True)


def test_first_post_lead_image_and_verbatim_body(posts: list[dict[str, Any]]) -> None:
    assert posts[0]["label"] is None
    assert posts[0]["contributors"] == []
    assert posts[0]["media"] == [
        {
            "kind": "image",
            "placement": "lead",
            "alt": "A view of the White House as the sun sets",
            "credit": "Getty Images",
            "caption": "",
        }
    ]
    assert len(posts[0]["body"]) == 4


def test_credit_less_image_and_verbatim_text(posts: list[dict[str, Any]]) -> None:
    post = posts[1]
    assert post["contributors"] == [
        {"name": "Mitch Mansfield", "byline": "Reporting from Washington DC"}
    ]
    assert post["media"] == [
        {
            "kind": "image",
            "placement": "lead",
            "alt": "Four students at Howard University in Washington including Jade and Jaylin",
            "credit": "",
            "caption": "",
        }
    ]
    assert post["body"][0].endswith("gave her speech to students andsupporters.")
    assert post["body"][1] == (
        "Jade, 18, says she is \u201cproud of her - she did a great campaign and she still has "
        "a chance if she wants to run in 2028\u201d."
    )


def test_truncated_alt_text_kept(posts: list[dict[str, Any]]) -> None:
    assert posts[2]["media"][0]["alt"] == "Ka"
    assert posts[2]["media"][0]["credit"] == "Twitter"


def test_bylines_kept_verbatim(posts: list[dict[str, Any]]) -> None:
    assert posts[3]["contributors"] == [
        {"name": "Kayla Epstein", "byline": "reporting from West Palm Beach, Florida"}
    ]
    assert posts[8]["contributors"] == [{"name": "Katty Kay", "byline": "US special correspondent"}]
    assert [len(post["contributors"]) for post in posts].count(1) == 7


def test_unpunctuated_paragraph_without_byline_stays_body(posts: list[dict[str, Any]]) -> None:
    assert posts[4]["body"][0] == (
        "Just a short while after the Obama's issued their own tribute, "
        "President Joe Biden shares his own"
    )
    assert [m["credit"] for m in posts[4]["media"]] == ["Reuters"]


def test_post_6_images_with_captions(posts: list[dict[str, Any]]) -> None:
    media = posts[5]["media"]
    assert [(m["kind"], m["placement"], m["credit"]) for m in media] == [
        ("image", "lead", "Getty Images"),
        ("image", "end", "Getty Images"),
    ]
    assert media[0]["caption"] == (
        "Former president Barack Obama was staunch in his endorsement of Kamala Harris "
        "as the Democratic nominee"
    )
    assert media[1]["alt"] == "Kamala Harris and Michelle Obama"
    assert media[1]["caption"] == (
        "Michelle Obama joined Harris on the big stage at one of the last rallies "
        "ahead of election day"
    )
    assert 'Tim Walz \u2013 "two extraordinary public servants' in posts[5]["body"][2]


def test_videos(posts: list[dict[str, Any]]) -> None:
    assert posts[6]["media"] == [
        {
            "kind": "video",
            "placement": "end",
            "caption": "US voters on one reason Trump won... and why Harris lost",
        }
    ]
    assert posts[6]["body"][-1] == "You can listen to some of their responses below:"
    assert posts[17]["media"] == [
        {
            "kind": "video",
            "placement": "lead",
            "caption": "Harris: Election outcome 'not what we wanted'",
        }
    ]
    assert posts[17]["body"][0].startswith("The vice-president closes with an uplifting message")


def test_analysis_post(posts: list[dict[str, Any]]) -> None:
    post = posts[7]
    assert post["label"] == "Analysis"
    assert post["title"] == "What's next for Harris?"
    assert post["published_at"] == "2024-11-06T22:34:00+00:00"
    assert post["contributors"] == [
        {"name": "Anthony Zurcher", "byline": "BBC North America correspondent"}
    ]
    assert [label for label in (p["label"] for p in posts) if label] == ["Analysis"]


def test_image_at_end_without_blank_line_before_next_post(posts: list[dict[str, Any]]) -> None:
    assert posts[12]["media"][0]["placement"] == "end"
    assert posts[12]["media"][0]["alt"].startswith("Walz, who looks very sad")
    assert posts[13]["title"] == "'I'm moving through the process of grief'"


def test_post_15_is_images_only(posts: list[dict[str, Any]]) -> None:
    post = posts[14]
    assert post["body"] == []
    assert [(m["kind"], m["placement"], m["credit"]) for m in post["media"]] == [
        ("image", "lead", "Getty Images")
    ] * 3


def test_results(content: dict[str, Any]) -> None:
    results = content["results"]
    assert results["race"]["threshold"] == 270
    assert results["winner"] == "Donald Trump"
    assert [(c["name"], c["party"]) for c in results["candidates"]] == [
        ("Kamala Harris", "Democratic"),
        ("Donald Trump", "Republican"),
    ]
    early, final = results["snapshots"]
    assert early["capture"] == "000_6567f26497cc6865.txt"
    assert early["results_to_go"] is None
    assert early["candidates"] == {
        "Kamala Harris": {
            "popular_votes": 67951111,
            "electoral_votes": None,
            "share_shown": "47.5",
        },
        "Donald Trump": {"popular_votes": 72658972, "electoral_votes": None, "share_shown": "50.8"},
    }
    assert final["capture"] == "001_9c5bc46257a9bff3.txt"
    assert final["results_to_go"] == 0
    assert final["candidates"] == {
        "Kamala Harris": {"popular_votes": 74332538, "electoral_votes": 226, "share_shown": "48.3"},
        "Donald Trump": {"popular_votes": 76869569, "electoral_votes": 312, "share_shown": "49.9"},
    }
    assert early["as_of"] < final["as_of"] == content["posts"][0]["published_at"]


SNIPPET = """US Election 2024
Jo Bloggs, Democratic Candidate
Al Smith, Republican Candidate
SMITH WINS
270 to win
Jo Bloggs of the Democrat party has 200 electoral college votes.
Al Smith of the Republican party has 338 electoral college votes.
Jo Bloggs of the Democrat party has 1,000 votes (40.0%)
Al Smith of the Republican party has 1,500 votes (60.0%)
2 results to go
Summary

  1. Analysis

    A titlepublished at 09:05 Greenwich Mean Time 1 December

    Ann Writer
    Reporting from Leeds

    Picture of a street

    First paragraph.
  2. Second postpublished at 08:00 Greenwich Mean Time 30 November

    Only paragraph.
"""


def test_parse_final_capture_on_snippet() -> None:
    parsed = reference.parse_final_capture(SNIPPET)
    assert parsed["winner"] == "Al Smith"
    assert parsed["threshold"] == 270
    assert parsed["snapshot"]["results_to_go"] == 2
    first, second = parsed["posts"]
    assert first["label"] == "Analysis"
    assert first["published_at"] == "2024-12-01T09:05:00+00:00"
    assert first["contributors"] == [{"name": "Ann Writer", "byline": "Reporting from Leeds"}]
    assert first["media"][0]["alt"] == "Picture of a street"
    assert first["media"][0]["credit"] == ""
    assert first["body"] == ["First paragraph."]
    assert second["published_at"] == "2024-11-30T08:00:00+00:00"


def test_media_between_paragraphs_is_rejected() -> None:
    text = SNIPPET.replace(
        "    Only paragraph.\n",
        "    One.\n\n    A dogImage source, PA\n\n    Two.\n",
    )
    with pytest.raises(ValueError, match="media between paragraphs"):
        reference.parse_final_capture(text)


def test_unmatched_winner_is_rejected() -> None:
    with pytest.raises(ValueError, match="SOMEONE WINS"):
        reference.parse_final_capture(SNIPPET.replace("SMITH WINS", "SOMEONE WINS"))


def test_early_capture_repeats_must_agree() -> None:
    line = "A Bee of the X party has 1,234 votes (50.5%) Cee Dee of the Y party has 99 votes (1.0%)"
    snapshot = reference.parse_early_capture(f"{line} story\n{line} story\n")["snapshot"]
    assert snapshot["results_to_go"] is None
    assert snapshot["candidates"]["Cee Dee"] == {
        "popular_votes": 99,
        "electoral_votes": None,
        "share_shown": "1.0",
    }
    with pytest.raises(ValueError, match="conflicting"):
        reference.parse_early_capture(f"{line}\n{line.replace('1,234', '1,235')}\n")
