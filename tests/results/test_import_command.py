"""``manage.py import_results``: the shipped samples on the demo race, and refusals on stderr."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from results.models import Race, ResultSnapshot

SAMPLES = Path(__file__).resolve().parents[2] / "results" / "samples"
AP_SAMPLE = Path(__file__).parent / "data" / "ap-20151103.json"


def run(*files):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_results", *map(str, files), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=io.StringIO())
    return Race.objects.get(slug="us-president-2024")


def test_the_json_sample_updates_the_demo_race(demo):
    before = ResultSnapshot.objects.latest_of(demo.pk)

    out, err = run(SAMPLES / "us-president-2024.json")

    assert err == ""
    assert "newsroom JSON: 1 race seen, 1 snapshot recorded, 0 already stored" in out
    latest = ResultSnapshot.objects.latest_of(demo.pk)
    assert latest.pk != before.pk
    assert (latest.source_seq, latest.total_votes, latest.results_to_go) == (
        "sample-1",
        154_980_434,
        0,
    )
    assert latest.total_votes > before.total_votes
    electoral = {r.candidate.name: r.electoral_votes for r in latest.results.all()}
    assert electoral == {"Kamala Harris": 226, "Donald Trump": 312}


def test_the_csv_sample_is_the_same_snapshot(demo):
    out, _ = run(SAMPLES / "us-president-2024.json", SAMPLES / "us-president-2024.csv")

    assert "newsroom CSV: 1 race seen, 0 snapshots recorded, 1 already stored" in out
    assert demo.snapshots.filter(source_seq="sample-1").count() == 1


def test_the_ap_sample_imports_through_the_command(db):
    out, err = run(AP_SAMPLE)

    assert err == ""
    assert "AP Elections API v2: 2 races seen, 2 snapshots recorded" in out
    assert "2 calls recorded" in out


def test_a_bad_file_exits_non_zero_with_the_error_on_stderr(demo, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"race": "us-president-2024", "as_of": "2024-11-07T13:00:00Z", "source": "desk",'
        ' "source_seq": "x", "candidates": [{"name": "Donald Trump", "popular_votes": -3}]}'
    )
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match="1 of 3 files had data refused"):
        call_command(
            "import_results",
            str(SAMPLES / "us-president-2024.json"),
            str(bad),
            str(SAMPLES / "us-president-2024.csv"),
            stdout=out,
            stderr=err,
        )

    assert (
        f"{bad}: refused: candidates[0].popular_votes: expected a whole number ≥ 0, got -3"
        in err.getvalue()
    )
    assert not demo.snapshots.filter(source_seq="x").exists()
    assert demo.snapshots.filter(source_seq="sample-1").exists()  # the good files still ran


def test_a_missing_file_is_an_error(db, tmp_path):
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_results", str(tmp_path / "nope.json"), stdout=out, stderr=err)

    assert "nope.json: refused: cannot read the file: No such file or directory" in err.getvalue()
