"""Parse the BBC live-page text captures into the demo content shipped with Newsroom.

The demo reproduces a real live page, but it must not read ``/work/shared`` at run time, so the
parsed result is committed as ``content.json`` next to this module. This parser is kept so that
file can be regenerated and verified (see ``tests/liveblog/test_demo_reference.py``)::

    python -m liveblog.demo.reference /work/shared/reference > liveblog/demo/content.json

Everything factual (titles, times, bylines, body text, media, vote counts, the winner) is parsed;
the few editorial or presentational choices the captures cannot supply are constants below.
Stdlib only, so it runs without Django settings.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FINAL_CAPTURE = "001_9c5bc46257a9bff3.txt"
EARLY_CAPTURE = "000_6567f26497cc6865.txt"
SOURCE = "BBC News live page, US Election 2024, captured 6-7 November 2024"
# The captures give "7 November" and "00:31 Greenwich Mean Time" but never the year.
CAPTURE_YEAR = 2024

# Demo choices: the captures carry no capture time. The early snapshot predates Harris's
# 21:00 GMT speech that its story announces; the final one is taken at the newest post's time.
EARLY_SNAPSHOT_AS_OF = "2024-11-06T20:00:00+00:00"
FINAL_SNAPSHOT_AS_OF = "2024-11-07T00:31:00+00:00"

# Demo choices: the page shows no blog description or coverage start (first polls close
# at 18:00 EST, i.e. 23:00 GMT on 5 November).
BLOG_DESCRIPTION = "Live coverage of the 2024 US presidential election results and reaction."
COVERAGE_START = "2024-11-05T23:00:00+00:00"
RACE_NAME = "US presidential election 2024"
RACE_OFFICE = "President"
THRESHOLD_UNIT = "electoral votes"
# Presentation only (the text capture has no colours): party -> (short name, colour).
PARTY_STYLE = {"Democratic": ("DEM", "#1a5bb8"), "Republican": ("REP", "#c8102e")}

# Editorial demo text, NOT parsed: the capture's "Summary" heading has no captured bullets,
# so these key points were written from facts stated in the captured posts.
SUMMARY = [
    "Donald Trump wins the US presidential election, defeating Vice-President Kamala Harris",
    "Harris concedes in a speech at Howard University in Washington DC, telling supporters: "
    '"Don\'t give up"',
    "President Joe Biden calls Trump to congratulate him and invites him to the White House, "
    "the Trump campaign says",
    "UK Prime Minister Sir Keir Starmer congratulates Trump, as do Barack and Michelle Obama",
]

_NAME = r"[A-Z][\w'.-]*(?: [A-Z][\w'.-]*)*"
_CANDIDATE_LINE = re.compile(rf"^({_NAME}), (\w+) Candidate$", re.M)
_ELECTORAL = re.compile(rf"({_NAME}) of the \w+ party has ([\d,]+) electoral college votes")
_POPULAR = re.compile(rf"({_NAME}) of the \w+ party has ([\d,]+) votes \(([\d.]+)%\)")
_TO_GO = re.compile(r"^([\d,]+) results? to go$", re.M)
_TO_WIN = re.compile(r"^([\d,]+) to win$", re.M)
_WINS = re.compile(r"^([A-Z][A-Z'-]+) WINS$", re.M)
_POST_START = re.compile(r"^  (\d+)\. (.+)$")
_PUBLISHED = re.compile(r"^(.+?)published at (\d{1,2}):(\d{2}) Greenwich Mean Time (\d{1,2} \w+)$")
_IMAGE = re.compile(r"^(.*)Image source, (.+)$")
_SENTENCE_END = re.compile(r"[.!?:\"'\u201d\u2019)]$")  # also curly closing quotes


def _int(digits: str) -> int:
    return int(digits.replace(",", ""))


def _parse_snapshot(text: str) -> dict[str, Any]:
    """Read one results header. Figures a capture lacks (early: electoral votes) become None.

    A capture may repeat its header (the early one is captured twice); repeats must agree.
    """
    votes: dict[str, dict[str, Any]] = {}
    for name, count, share in _POPULAR.findall(text):
        entry = {"popular_votes": _int(count), "electoral_votes": None, "share_shown": share}
        if votes.setdefault(name, entry) != entry:
            raise ValueError(f"conflicting popular vote figures for {name}")
    for name, count in _ELECTORAL.findall(text):
        if name not in votes:
            raise ValueError(f"electoral votes for {name} without a popular vote line")
        votes[name]["electoral_votes"] = _int(count)
    if not votes:
        raise ValueError("no results found in capture")
    to_go = {_int(n) for n in _TO_GO.findall(text)}
    if len(to_go) > 1:
        raise ValueError(f"conflicting 'results to go': {sorted(to_go)}")
    return {"results_to_go": to_go.pop() if to_go else None, "candidates": votes}


def _published_at(day_month: str, hour: str, minute: str) -> str:
    """GMT wall time from the capture plus the known year, as an ISO 8601 UTC timestamp."""
    date = datetime.strptime(f"{day_month} {CAPTURE_YEAR}", "%d %B %Y")
    return date.replace(hour=int(hour), minute=int(minute), tzinfo=UTC).isoformat()


def _skip_blank(lines: list[str]) -> list[str]:
    while lines and not lines[0]:
        lines = lines[1:]
    return lines


def _is_media_line(line: str) -> bool:
    return bool(_IMAGE.match(line)) or line in ("Image caption,", "Media caption,")


def _parse_post(lines: list[str]) -> dict[str, Any]:
    """Parse one post: lines from its "  N. " line up to the next post, indentation removed.

    Rules, in order:
    - "N. <title>published at ..." holds the title; if the numbered line has no timestamp it is
      a label ("Analysis") and the next non-blank line holds the title.
    - A byline is the first two lines after the title when no blank line separates them and
      neither is media: name, then role/location verbatim.
    - "<alt>Image source, <credit>" is an image; "Image caption," gives the previous image the
      next non-blank line as caption; "Media caption," + next non-blank line is a video.
    - A credit-less image: the first line after a byline, if it has no sentence-ending
      punctuation, is a photo's alt text (post 2), not a paragraph. It needs the byline because
      post 5's first paragraph, with no byline above it, also lacks a full stop.
    - Media before the first paragraph (or in a post with none) is "lead", after the last is
      "end"; media between paragraphs is an error, as the reference has none.
    - Everything else is a body paragraph, verbatim.
    """
    label = None
    if "published at" not in lines[0]:
        label, lines = lines[0], _skip_blank(lines[1:])
    match = _PUBLISHED.match(lines[0]) if lines else None
    if not match:
        raise ValueError(f"post without a timestamp after {label!r}")
    title, hour, minute, day_month = match.groups()
    rest = _skip_blank(lines[1:])
    contributors = []
    if len(rest) > 1 and rest[0] and rest[1] and not any(map(_is_media_line, rest[:2])):
        contributors.append({"name": rest[0], "byline": rest[1]})
        rest = rest[2:]
    items: list[tuple[str, Any]] = []  # ("paragraph", text) or ("media", dict), page order
    queue = [line for line in rest if line]
    while queue:
        line = queue.pop(0)
        if image := _IMAGE.match(line):
            alt, credit = image.groups()
            items.append(("media", {"kind": "image", "alt": alt, "credit": credit, "caption": ""}))
        elif line == "Image caption,":
            if not queue or not items or items[-1][0] != "media" or "alt" not in items[-1][1]:
                raise ValueError(f"image caption without an image in {title!r}")
            items[-1][1]["caption"] = queue.pop(0)
        elif line == "Media caption,":
            if not queue:
                raise ValueError(f"empty media caption in {title!r}")
            items.append(("media", {"kind": "video", "caption": queue.pop(0)}))
        elif contributors and not items and not _SENTENCE_END.search(line):
            items.append(("media", {"kind": "image", "alt": line, "credit": "", "caption": ""}))
        else:
            items.append(("paragraph", line))
    paragraphs = [i for i, (kind, _) in enumerate(items) if kind == "paragraph"]
    media = []
    for index, (kind, item) in enumerate(items):
        if kind != "media":
            continue
        if not paragraphs or index < paragraphs[0]:
            placement = "lead"
        elif index > paragraphs[-1]:
            placement = "end"
        else:
            raise ValueError(f"media between paragraphs in {title!r}; no placement for that")
        media.append({"kind": item.pop("kind"), "placement": placement, **item})
    return {
        "title": title,
        "published_at": _published_at(day_month, hour, minute),
        "label": label,
        "contributors": contributors,
        "body": [text for kind, text in items if kind == "paragraph"],
        "media": media,
    }


def parse_final_capture(text: str) -> dict[str, Any]:
    """Parse the final page: page title, results header (race, candidates, winner) and posts."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if _POST_START.match(line)]
    if not starts:
        raise ValueError("no numbered posts found")
    header = "\n".join(lines[: starts[0]])
    posts = []
    for number, (start, end) in enumerate(
        zip(starts, [*starts[1:], len(lines)], strict=True), start=1
    ):
        first = _POST_START.match(lines[start])
        if first is None or int(first.group(1)) != number:
            raise ValueError(f"posts are not numbered 1..N at line {start + 1}")
        body = [first.group(2)] + [line.removeprefix("    ") for line in lines[start + 1 : end]]
        posts.append(_parse_post(body))
    candidates: dict[str, dict[str, str]] = {}
    for name, party in _CANDIDATE_LINE.findall(header):
        candidates.setdefault(name, {"name": name, "party": party})
    for candidate in candidates.values():
        short, colour = PARTY_STYLE[candidate["party"]]
        candidate.update(party_short=short, colour=colour)
        candidate["description"] = f"{candidate['party']} Candidate"
    threshold, wins = _TO_WIN.search(header), _WINS.search(header)
    if threshold is None or wins is None:
        raise ValueError("results header lacks '<N> to win' or '<NAME> WINS'")
    winners = [n for n in candidates if n.split()[-1].upper() == wins.group(1)]
    if len(winners) != 1:
        raise ValueError(f"cannot match {wins.group(0)!r} to one candidate")
    snapshot = _parse_snapshot(header)
    if set(snapshot["candidates"]) != set(candidates):
        raise ValueError("results figures and candidate lines name different people")
    return {
        "title": lines[0].strip(),
        "threshold": _int(threshold.group(1)),
        "candidates": list(candidates.values()),
        "winner": winners[0],
        "snapshot": snapshot,
        "posts": posts,
    }


def parse_early_capture(text: str) -> dict[str, Any]:
    """Parse the early capture: only its results header counts; the story after it is not a post."""
    return {"snapshot": _parse_snapshot(text)}


def build_demo_content(reference_dir: Path) -> dict[str, Any]:
    """Combine both captures into the shipped demo document (see module docstring)."""
    final = parse_final_capture((reference_dir / FINAL_CAPTURE).read_text(encoding="utf-8"))
    early = parse_early_capture((reference_dir / EARLY_CAPTURE).read_text(encoding="utf-8"))
    if not set(early["snapshot"]["candidates"]) <= {c["name"] for c in final["candidates"]}:
        raise ValueError("early capture names a candidate the final page does not")
    snapshots = [
        {"capture": EARLY_CAPTURE, "as_of": EARLY_SNAPSHOT_AS_OF, **early["snapshot"]},
        {"capture": FINAL_CAPTURE, "as_of": FINAL_SNAPSHOT_AS_OF, **final["snapshot"]},
    ]
    slug = re.sub(r"[^a-z0-9]+", "-", final["title"].lower()).strip("-")
    return {
        "source": SOURCE,
        "blog": {
            "slug": slug,
            "title": final["title"],
            "description": BLOG_DESCRIPTION,
            "coverage_start": COVERAGE_START,
        },
        "summary": list(SUMMARY),
        "posts": final["posts"],
        "results": {
            "race": {
                "name": RACE_NAME,
                "office": RACE_OFFICE,
                "threshold": final["threshold"],
                "threshold_unit": THRESHOLD_UNIT,
            },
            "candidates": final["candidates"],
            "snapshots": snapshots,
            "winner": final["winner"],
        },
    }


def render_json(document: dict[str, Any]) -> str:
    """The exact text of ``content.json``: insertion-ordered keys, indent 2, trailing newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m liveblog.demo.reference REFERENCE_DIR", file=sys.stderr)
        return 2
    sys.stdout.buffer.write(render_json(build_demo_content(Path(args[0]))).encode("utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
