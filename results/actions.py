"""Every editorial action on results, once: recording a snapshot by hand and calling a
race (on a race), confirming or rejecting a waiting call, correcting and withdrawing a
shown one (on a call), voiding a snapshot. The results' registries of
``newsroom.actions``; the results admin and the live desk read them to decide what to
offer and how to answer, as the admin, the desk and the API read the posts'
(``liveblog.actions``).

Whether an action is offered is the service's own check (``check_<action>`` beside the
write in ``services``), run again by the write under its row lock; a refusal is
answered with ``newsroom.actions.refusal_status`` at every door.
"""

from __future__ import annotations

from typing import Any

from newsroom.actions import Action, Registry

from . import services
from .forms import CallForm, CorrectCallForm, SnapshotForm, WithdrawForm
from .models import Race, ResultSnapshot, WinnerCall


def _snapshot(data: dict[str, Any]) -> dict[str, Any]:
    fields = ["as_of", "source", "source_seq", "counts", "total_votes", "units_reporting",
              "units_total"]  # fmt: skip
    return {name: data.get(name) for name in fields}


def _reason(data: dict[str, Any]) -> dict[str, Any]:
    return {"reason": data["reason"]}


RACES: Registry[Action[Race]] = Registry(Race, [
    Action("record", "Record results…", "results recorded", services.may_record,
           services.check_record, services.snapshot_record, _snapshot, SnapshotForm,
           subject_arg="race", form_takes_subject=True),
    Action("call", "Call the race…", "call recorded: a second editor must confirm it",
           services.may_call, services.check_call, services.winner_call,
           lambda d: {"candidate": d["candidate"], "source": d["source"]}, CallForm,
           subject_arg="race", form_takes_subject=True),
])  # fmt: skip

CALLS: Registry[Action[WinnerCall]] = Registry(WinnerCall, [
    Action("confirm", "Confirm the call", "confirmed: it shows on the pages",
           services.may_confirm, services.check_confirm, services.winner_confirm,
           subject_arg="call", done_for=lambda call: "correction confirmed: it replaces the "
           "call it corrects" if call.replaces_id else "confirmed: it shows on the pages"),
    Action("reject", "Reject", "rejected: it never shows", services.may_confirm,
           services.check_reject, services.winner_reject, dangerous=True, subject_arg="call"),
    Action("correct", "Correct…", "correction recorded: the standing call stays on the "
           "pages until a second editor confirms it", services.may_call,
           services.check_correct, services.winner_correct,
           lambda d: {"candidate": d["candidate"], "note": d["note"]}, CorrectCallForm,
           subject_arg="call", form_takes_subject=True),
    Action("withdraw", "Withdraw…", "withdrawn", services.may_confirm, services.check_withdraw,
           services.winner_withdraw, _reason, WithdrawForm, dangerous=True,
           subject_arg="call"),
])  # fmt: skip

SNAPSHOTS: Registry[Action[ResultSnapshot]] = Registry(ResultSnapshot, [
    Action("void", "Void…", "void, no longer shown", services.may_record, services.check_void,
           services.snapshot_void, _reason, WithdrawForm, dangerous=True,
           subject_arg="snapshot"),
])  # fmt: skip
