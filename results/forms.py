"""Admin forms for entering results by hand and calling races."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from newsroom.bounds import column_max

from .counts import CandidateCount
from .models import (
    MAX_ELECTORAL_VOTES,
    Candidate,
    CandidateResult,
    Race,
    ResultSnapshot,
    WinnerCall,
    vote_share,
)
from .services import MAX_VOTES

# Every number the form takes is bounded where it enters, by the column it goes to.
MAX_UNITS = column_max(ResultSnapshot, "units_total")


class SnapshotForm(forms.Form):
    """One field pair per candidate of the race, plus when, where from and how far counted."""

    as_of = forms.SplitDateTimeField(
        label="As of",
        # A date input takes ISO dates only: the locale's format would show it empty.
        widget=forms.SplitDateTimeWidget(
            date_attrs={"type": "date"},
            time_attrs={"type": "time", "step": "1"},
            date_format="%Y-%m-%d",
            time_format="%H:%M:%S",
        ),
        help_text="When these figures were true, in the newsroom's time zone.",
    )
    source = forms.CharField(max_length=60, initial="Newsroom")
    source_seq = forms.CharField(
        max_length=60,
        label="Source reference",
        help_text="The source's own number or time for this update; the same one is never "
        "recorded twice.",
    )
    units_reporting = forms.IntegerField(
        min_value=0, max_value=MAX_UNITS, required=False, label="Results in"
    )
    units_total = forms.IntegerField(
        min_value=0, max_value=MAX_UNITS, required=False, label="Results expected"
    )
    total_votes = forms.IntegerField(
        min_value=0,
        max_value=MAX_VOTES,
        required=False,
        help_text="All votes counted, other candidates included. Empty: the sum of the above.",
    )

    # Set by the first "Check" of a filled form; the second submission records.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, race: Race, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.race = race
        # Pre-filled from the figures readers see now and the current time: an editor
        # types only what moved.
        latest = ResultSnapshot.objects.latest_of(race.pk)
        counts = {r.candidate_id: r for r in latest.results.all()} if latest else {}
        now = timezone.localtime()
        self.fields["as_of"].initial = now.replace(microsecond=0)
        self.fields["source_seq"].initial = f"desk {now:%Y-%m-%d %H:%M:%S}"
        self.fields["units_total"].initial = latest.units_total if latest else race.units_total
        if latest is not None:
            self.fields["units_reporting"].initial = latest.units_reporting
            self.fields["total_votes"].initial = latest.total_votes
        for candidate in race.candidates.all():
            stored = counts.get(candidate.pk)
            self.fields[f"votes_{candidate.pk}"] = forms.IntegerField(
                min_value=0, max_value=MAX_VOTES, label=f"{candidate.name}: votes",
                initial=stored.popular_votes if stored else None,
            )  # fmt: skip
            self.fields[f"electoral_{candidate.pk}"] = forms.IntegerField(
                min_value=0, required=False, label=f"{candidate.name}: {race.threshold_unit}",
                max_value=min(MAX_ELECTORAL_VOTES, column_max(CandidateResult, "electoral_votes")),
                initial=stored.electoral_votes if stored else None,
            )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(name.startswith(("votes_", "electoral_")) for name in self.errors):
            data["counts"] = [CandidateCount(*c) for c in self.candidate_counts()]
        return data

    def shares_to_publish(self) -> tuple[list[tuple[str, Decimal]], int, bool]:
        """The shares readers will see if this is recorded, the total they are of, and
        whether that total is only the listed candidates' (no "Total votes" given)."""
        counts = self.candidate_counts()
        given = self.cleaned_data.get("total_votes")
        total = given if given else sum(votes for _, votes, _ in counts)
        return [(name, vote_share(votes, total)) for name, votes, _ in counts], total, not given

    def candidate_counts(self) -> list[tuple[str, int, int | None]]:
        data = self.cleaned_data
        return [
            (c.name, data[f"votes_{c.pk}"], data.get(f"electoral_{c.pk}"))
            for c in self.race.candidates.all()
        ]


class CallForm(forms.Form):
    candidate: forms.ModelChoiceField[Candidate] = forms.ModelChoiceField(queryset=None)
    source = forms.CharField(max_length=60, initial="Newsroom decision desk")

    def __init__(self, *args: Any, race: Race, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["candidate"]
        assert isinstance(field, forms.ModelChoiceField)  # the field declared above
        field.queryset = race.candidates.all()


class CorrectCallForm(forms.Form):
    """Who really won, and why the standing call was wrong (kept on record)."""

    candidate: forms.ModelChoiceField[Candidate] = forms.ModelChoiceField(
        queryset=None, label="Winner"
    )
    note = forms.CharField(
        label="What is corrected",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept on record with both calls.",
    )

    def __init__(self, *args: Any, call: WinnerCall, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["candidate"]
        assert isinstance(field, forms.ModelChoiceField)  # the field declared above
        field.queryset = call.race.candidates.exclude(pk=call.candidate_id)


class WithdrawForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
