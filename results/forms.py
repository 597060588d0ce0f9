"""Admin forms for entering results by hand and calling races."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import Candidate, Race


class SnapshotForm(forms.Form):
    """One field pair per candidate of the race, plus when, where from and how far counted."""

    as_of = forms.SplitDateTimeField(
        label="As of",
        widget=forms.SplitDateTimeWidget(
            date_attrs={"type": "date"}, time_attrs={"type": "time", "step": "1"}
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
    units_reporting = forms.IntegerField(min_value=0, required=False, label="Results in")
    units_total = forms.IntegerField(min_value=0, required=False, label="Results expected")
    total_votes = forms.IntegerField(
        min_value=0,
        required=False,
        help_text="All votes counted, other candidates included. Empty: the sum of the above.",
    )

    def __init__(self, *args: Any, race: Race, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.race = race
        self.fields["units_total"].initial = race.units_total
        for candidate in race.candidates.all():
            self.fields[f"votes_{candidate.pk}"] = forms.IntegerField(
                min_value=0, label=f"{candidate.name}: votes"
            )
            self.fields[f"electoral_{candidate.pk}"] = forms.IntegerField(
                min_value=0, required=False, label=f"{candidate.name}: {race.threshold_unit}"
            )

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


class WithdrawForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
