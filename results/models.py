"""Results as a wire service keeps them: snapshots are immutable, calls are auditable."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from newsroom.media import upload_to

# The electoral votes one contest can carry: far more than any college (the US has 538),
# and small enough that a national race adding up thousands of them never overflows.
MAX_ELECTORAL_VOTES = 10_000
STATUSES_SHOWN = {
    "too early to call": "Too early to call",
    "too close to call": "Too close to call",
    "vote certified": "Results certified",
}


class Rehearsal(models.Model):
    """A recorded night played back (``manage.py rehearse``): its races and its blog are its
    own (``Race.rehearsal``, ``LiveBlog.rehearsal``), never mixed with the real ones, and
    wiped with it."""

    name = models.CharField(max_length=200)
    election_date = models.DateField(null=True, blank=True)
    speed = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Race(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, unique=True)
    office = models.CharField(max_length=100)
    threshold = models.PositiveIntegerField(
        null=True, blank=True, help_text="What it takes to win, e.g. 270."
    )
    threshold_unit = models.CharField(max_length=60, blank=True, default="electoral votes")
    units_total = models.PositiveIntegerField(
        null=True, blank=True, help_text="Reporting units (states, counties) in the race."
    )
    unit_label = models.CharField(
        max_length=30,
        default="result",
        help_text='What a reporting unit is called: "result" (a state\'s), "precinct"…',
    )
    source_id = models.CharField(
        max_length=60,
        blank=True,
        help_text='The results feed\'s id for this race, e.g. AP "KY-17" (state, raceID).',
    )
    election_date = models.DateField(
        null=True, blank=True, help_text="Election day (the feed's race ids are per election)."
    )
    level = models.CharField(
        max_length=10,
        choices=[("state", "A state's contest (or any single race)"),
                 ("national", "National: adds up its state contests")],
        default="state",
        help_text="A national race's figures are the sum of the state races listed under it.",
    )  # fmt: skip
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="states",
        limit_choices_to={"level": "national"},
        verbose_name="national race",
        help_text="The national race this state contest counts towards (the presidency).",
    )
    state_postal = models.CharField(max_length=10, blank=True, help_text='e.g. "PA".')
    # A national race's office totals, known before any state reports: the threshold and
    # the states to call come from them, never from the states seen so far.
    at_stake = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_ELECTORAL_VOTES)],
        help_text="A national race: electoral votes at stake in all (538 for the US "
        "presidency); a majority of them wins. Empty: the states' added up.",
    )
    contests = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text="A national race: the state contests it expects (51: the states and DC). "
        "Empty: the states imported so far.",
    )
    electoral_votes = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_ELECTORAL_VOTES)],
        help_text="Electoral votes at stake in this state (AP electTotal).",
    )
    race_type = models.CharField(
        max_length=30, blank=True, help_text='"General", "Primary", "Caucus", "Runoff"…'
    )
    party = models.CharField(max_length=20, blank=True, help_text="A primary's party.")
    uncontested = models.BooleanField(default=False)
    rollup_problem = models.TextField(
        blank=True,
        editable=False,
        help_text="Why the states could not be added up the last time (empty when they were); "
        "tried again with the next results.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A rehearsal's own copy of a race (None: a real race). The feed's ids repeat in
    # every rehearsal of the same night, so they are unique per rehearsal too.
    rehearsal = models.ForeignKey(Rehearsal, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="races", editable=False)  # fmt: skip

    class Meta:
        ordering = ["name"]
        constraints = [
            # A feed's race id is unique within its election day (AP reuses ids).
            models.UniqueConstraint(
                fields=["source_id", "election_date"],
                condition=~models.Q(source_id="")
                & models.Q(election_date__isnull=False)
                & models.Q(rehearsal__isnull=True),
                name="race_source_id_per_election",
            ),
            models.UniqueConstraint(
                fields=["source_id"],
                condition=~models.Q(source_id="")
                & models.Q(election_date__isnull=True)
                & models.Q(rehearsal__isnull=True),
                name="race_source_id",
            ),
            models.UniqueConstraint(
                fields=["rehearsal", "source_id", "election_date"],
                condition=~models.Q(source_id="") & models.Q(rehearsal__isnull=False),
                name="race_source_id_per_rehearsal",
            ),
            models.CheckConstraint(
                condition=~models.Q(level="national") | models.Q(parent__isnull=True),
                name="national_race_has_no_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Candidate(models.Model):
    race = models.ForeignKey(Race, on_delete=models.CASCADE, related_name="candidates")
    name = models.CharField(max_length=120)
    party = models.CharField(max_length=80)
    party_short = models.CharField(max_length=12, blank=True)
    colour = models.CharField(max_length=7, default="#666666", help_text="Hex, e.g. #c8102e.")
    photo = models.ImageField(upload_to=upload_to("candidates"), blank=True, max_length=200)
    ballot_order = models.PositiveSmallIntegerField(default=0)
    source_id = models.CharField(max_length=40, blank=True, help_text="The feed's candidate id.")
    politician_id = models.CharField(
        max_length=40,
        blank=True,
        help_text="The feed's id of the person across races (AP polID): how a national "
        "race finds the same candidate in every state.",
    )
    incumbent = models.BooleanField(default=False, help_text="Holds the office now.")

    class Meta:
        ordering = ["race", "ballot_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["race", "name"], name="candidate_unique_in_race"),
            models.CheckConstraint(
                condition=models.Q(colour__regex=r"^#[0-9a-fA-F]{6}$"), name="candidate_colour_hex"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.party_short or self.party})"


class ResultSnapshotQuerySet(models.QuerySet["ResultSnapshot"]):
    def newest_first(self) -> ResultSnapshotQuerySet:
        """Newest ``as_of`` first; of two with the same time, the one recorded later."""
        return self.order_by("-as_of", "-id")

    def standing(self) -> ResultSnapshotQuerySet:
        """Snapshots not voided by an editor (a void one is kept, never shown)."""
        return self.filter(voided_at__isnull=True)

    def history(self) -> ResultSnapshotQuerySet:
        """What readers and partners see of a race's past: its standing snapshots (a
        voided one stays on record, never shown). The chart and the partner API both ask
        this, so they always agree."""
        return self.standing()

    def latest_of(self, race_id: int) -> ResultSnapshot | None:
        """The snapshot readers see for a race: the one rule, used by the page, the live
        header, the API and ingest (``newest_first``'s tie-break included)."""
        return self.filter(race_id=race_id).standing().newest_first().first()


class ResultSnapshot(models.Model):
    """What the count said at ``as_of``, according to ``source``. Never edited."""

    race = models.ForeignKey(Race, on_delete=models.CASCADE, related_name="snapshots")
    as_of = models.DateTimeField()
    source = models.CharField(max_length=60)
    source_seq = models.CharField(
        max_length=60, help_text="The source's own sequence or timestamp for this snapshot."
    )
    units_reporting = models.PositiveIntegerField(null=True, blank=True)
    units_total = models.PositiveIntegerField(null=True, blank=True)
    expected_vote = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Share of the expected vote counted, per cent (AP's EEVP), where the feed "
        "gives it.",
    )
    # AP v3's race call and tabulation statuses, as sent ("Too Early to Call", "Vote
    # Certified"): readers are told the ones that speak to them (``status_shown``).
    call_status = models.CharField(max_length=60, blank=True)
    tabulation = models.CharField(max_length=60, blank=True)
    total_votes = models.PositiveBigIntegerField(
        help_text="All votes counted, other candidates included: the base of each share."
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # An editor's verdict that the snapshot is wrong (a bogus feed value, a typo): kept
    # on record with who and why, never shown as the latest (services.snapshot_void).
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    void_reason = models.TextField(blank=True)

    objects = ResultSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["race", "-as_of", "-id"]
        get_latest_by = ["as_of", "id"]  # the tie-break of ``newest_first``
        constraints = [
            models.UniqueConstraint(
                fields=["race", "source", "source_seq"], name="snapshot_once_per_source_seq"
            ),
            models.CheckConstraint(
                condition=models.Q(units_reporting__isnull=True)
                | models.Q(units_total__isnull=True)
                | models.Q(units_reporting__lte=models.F("units_total")),
                name="snapshot_units_within_total",
            ),
            models.CheckConstraint(
                condition=models.Q(expected_vote__isnull=True)
                | models.Q(expected_vote__gte=0, expected_vote__lte=100),
                name="snapshot_expected_vote_is_a_share",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.race} at {self.as_of:%Y-%m-%d %H:%M}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError("Result snapshots are immutable: record a new one instead.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def status_shown(self) -> str:
        """What the feed's statuses tell readers: too early or too close to call (until a
        call is shown), or certified; the rest is kept, not shown."""
        return STATUSES_SHOWN.get(self.call_status.lower(), "") or STATUSES_SHOWN.get(
            self.tabulation.lower(), ""
        )

    @property
    def results_to_go(self) -> int | None:
        if self.units_reporting is None or self.units_total is None:
            return None
        return self.units_total - self.units_reporting


class CandidateResult(models.Model):
    snapshot = models.ForeignKey(ResultSnapshot, on_delete=models.CASCADE, related_name="results")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="results")
    popular_votes = models.PositiveBigIntegerField()
    electoral_votes = models.PositiveIntegerField(null=True, blank=True)
    runoff = models.BooleanField(default=False, help_text='Advances to a runoff (AP\'s "R").')

    class Meta:
        ordering = ["candidate__ballot_order", "candidate_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "candidate"], name="one_result_per_candidate_per_snapshot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate.name}: {self.popular_votes}"

    @property
    def share(self) -> Decimal:
        """Share of all votes counted, to one decimal place, rounded half up (48.3)."""
        return vote_share(self.popular_votes, self.snapshot.total_votes)


def vote_share(votes: int, total: int) -> Decimal:
    if total <= 0:
        return Decimal("0.0")
    return (Decimal(votes) * 100 / Decimal(total)).quantize(Decimal("0.1"), ROUND_HALF_UP)


class SnapshotUnit(models.Model):
    """One reporting unit's count (a county) inside a snapshot, for the breakdown table."""

    snapshot = models.ForeignKey(ResultSnapshot, on_delete=models.CASCADE, related_name="units")
    source_id = models.CharField(
        max_length=40, help_text="The feed's unit id (AP reportingunitID, a state's postal code)."
    )
    fips_code = models.CharField(max_length=10, blank=True, help_text="Shared by a county's towns.")
    name = models.CharField(max_length=120)
    level = models.CharField(max_length=20, default="county")  # state, district, county, town
    units_reporting = models.PositiveIntegerField(null=True, blank=True)
    units_total = models.PositiveIntegerField(null=True, blank=True)
    # {candidate id: votes}; a snapshot is immutable, so this is never edited in place.
    votes = models.JSONField(default=dict)

    class Meta:
        ordering = ["snapshot", "name"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "source_id"], name="unit_once_per_snapshot")
        ]
        # The breakdown is read a page at a time, by name (results.selectors.unit_page).
        indexes = [models.Index(fields=["snapshot", "name"], name="unit_by_name_idx")]

    def __str__(self) -> str:
        return self.name


class WinnerCallQuerySet(models.QuerySet["WinnerCall"]):
    def standing(self) -> WinnerCallQuerySet:
        """Calls not withdrawn: the one a race has (pending or confirmed) and corrections
        waiting to replace it."""
        return self.filter(withdrawn_at__isnull=True)

    def confirmed(self) -> WinnerCallQuerySet:
        """Standing calls a second editor confirmed: the ones readers see."""
        return self.standing().filter(confirmed_at__isnull=False)

    def pending(self) -> WinnerCallQuerySet:
        """Standing calls still waiting for a second editor."""
        return self.standing().filter(confirmed_at__isnull=True)

    def with_pending_corrections(self) -> WinnerCallQuerySet:
        """Each call with ``pending_corrections``, the corrections of it waiting for a
        second editor (what ``check_correct`` asks, counted for a list at once)."""
        waiting = models.Q(corrections__withdrawn_at__isnull=True,
                           corrections__confirmed_at__isnull=True)  # fmt: skip
        return self.annotate(pending_corrections=models.Count("corrections", filter=waiting))


class WinnerCall(models.Model):
    """Calling a race is an act with a name on it; the banner needs a second editor."""

    race = models.ForeignKey(Race, on_delete=models.CASCADE, related_name="calls")
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="calls")
    source = models.CharField(max_length=60, help_text='Who called it, e.g. "BBC", "AP".')
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    called_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.TextField(blank=True)
    # A correction names the confirmed call it replaces; until a second editor confirms
    # it, the replaced call stays standing (and its banner on the pages).
    replaces = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    correction_note = models.TextField(blank=True)

    objects = WinnerCallQuerySet.as_manager()

    class Meta:
        ordering = ["race", "-called_at"]
        constraints = [
            # One standing call per race; a correction waiting for its confirmation is
            # not standing yet (it becomes so as the call it replaces is withdrawn).
            models.UniqueConstraint(
                fields=["race"],
                condition=models.Q(withdrawn_at__isnull=True)
                & (models.Q(replaces__isnull=True) | models.Q(confirmed_at__isnull=False)),
                name="one_standing_call_per_race",
            ),
            models.UniqueConstraint(
                fields=["race"],
                condition=models.Q(
                    withdrawn_at__isnull=True, confirmed_at__isnull=True, replaces__isnull=False
                ),
                name="one_pending_correction_per_race",
            ),
            models.CheckConstraint(
                condition=~models.Q(confirmed_by=models.F("called_by")),
                name="call_confirmed_by_second_editor",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate.name} wins {self.race}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None and self.withdrawn_at is None

    @property
    def is_pending_correction(self) -> bool:
        return self.replaces_id is not None and self.confirmed_at is None and not self.withdrawn_at


class WireDocument(models.Model):
    """A document the results poller fetched, kept as it came (gzip-compressed), with when
    it arrived and its ETag: the night on record, and what a rehearsal plays back.

    An identical document fetched again (a feed without ETags) keeps no second copy: it
    points at the one it repeats (``same_as``). Kept ``NEWSROOM_RESULTS_RECORD_DAYS``.
    """

    source = models.CharField(max_length=300, help_text="The feed's address without its query "
                              "(an API key in it is never stored).")  # fmt: skip
    received_at = models.DateTimeField(db_index=True)
    etag = models.CharField(max_length=200, blank=True)
    election_date = models.DateField(null=True, blank=True, db_index=True)
    size = models.PositiveBigIntegerField(help_text="Bytes as received.")
    sha256 = models.CharField(max_length=64)
    body = models.BinaryField(null=True, help_text="gzip; empty when it repeats ``same_as``.")
    same_as = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")  # fmt: skip
    outcome = models.CharField(max_length=500, blank=True, help_text="What the import said.")

    class Meta:
        ordering = ["received_at", "id"]

    def __str__(self) -> str:
        return f"{self.source} at {self.received_at:%Y-%m-%d %H:%M:%S}"


class FeedState(models.Model):
    """How a results feed is doing (``results.feed_status``): when it last answered and
    what the import said, and its last error; one row per feed, written at each poll, so
    every process (the worker polls, the pages show it) reads the same."""

    source = models.CharField(max_length=300, unique=True)
    last_ok_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=300, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.source
