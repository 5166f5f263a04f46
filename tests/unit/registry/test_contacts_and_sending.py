"""Contact data checks and masking; the order and bookkeeping of an import's sending."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from contracts.registry import v1
from contracts.registry.internal import check_email, check_national_id, check_phone
from contracts.replies import CommandError, CommandReply, ErrorCode, FieldError, WrittenEvent
from services.registry.contacts.masking import mask_email, mask_national_id, mask_phone
from services.registry.importing.planning import Planned
from services.registry.importing.sending import send_all


@pytest.mark.parametrize(
    ("check", "raw", "value"),
    [
        (check_phone, " 138 1234 5678", "13812345678"),
        (check_phone, "0838-5212345", "0838-5212345"),
        (check_email, "Zhang.San@School.CN", "zhang.san@school.cn"),
        (check_national_id, "11010519491231002x", "11010519491231002X"),
    ],
)
def test_contact_values_are_checked_and_normalised(check, raw, value):
    assert check(raw) == value


@pytest.mark.parametrize(
    ("check", "raw"),
    [
        (check_phone, "23812345678"),
        (check_email, "no-at-sign.cn"),
        (check_national_id, "110105194912310021"),
        (check_national_id, "110105194902300025"),
        (check_national_id, "11010519491231002"),
    ],
    ids=["phone-prefix", "email", "id-check-digit", "id-birth-date", "id-length"],
)
def test_bad_contact_values_are_refused(check, raw):
    with pytest.raises(ValueError):
        check(raw)


@pytest.mark.parametrize(
    ("mask", "raw", "shown"),
    [
        (mask_phone, "13812345678", "138****5678"),
        (mask_email, "zhang.san@school.cn", "z***@school.cn"),
        (mask_national_id, "11010519491231002X", "1101**********002X"),
        (mask_phone, None, ""),
    ],
)
def test_masks_keep_only_the_ends(mask, raw, shown):
    assert mask(raw) == shown


class FakeClient:
    """Answers commands after a pause; refuses the ones named; records the order."""

    def __init__(self, refuse: set[str]) -> None:
        self.refuse = refuse
        self.sent: list[str] = []

    async def send(self, county, command, *, command_id=None, **_):
        await asyncio.sleep(0.001 * (hash(command_id) % 3))
        self.sent.append(command.teacher_id)
        if command.teacher_id in self.refuse:
            error = CommandError(
                code=ErrorCode.RULE,
                message="no",
                fields=[FieldError(loc="effective_on", message="no")],
            )
            return CommandReply(ok=False, command_id=command_id, error=error)
        event = WrittenEvent(id="e", type="t", subject="s", sequence=1, data={})
        return CommandReply(ok=True, command_id=command_id, events=[event])


def _planned(row: int, teacher: str, group: str) -> Planned:
    command = v1.RetireTeacher(teacher_id=teacher, effective_on=date(2024, 9, 1))
    return Planned("teachers", row, "510781", group, command, {"effective_on": "retired_on"})


async def test_one_aggregates_commands_go_in_order_and_a_refusal_names_row_and_column():
    planned = [_planned(i, f"T{i}", f"g{i % 3}") for i in range(2, 32)]
    client = FakeClient(refuse={"T5"})
    seen: list[tuple[int, int]] = []
    outcome = await send_all(
        client, planned, concurrency=8, progress=lambda d, t: seen.append((d, t))
    )  # type: ignore[arg-type]
    for group in ("g0", "g1", "g2"):
        mine = [p.command.teacher_id for p in planned if p.group == group]
        assert [t for t in client.sent if t in mine] == mine
    assert (outcome.written, outcome.events) == (29, 29)
    assert [(e.row, e.column) for e in outcome.refused] == [(5, "retired_on")]
    assert seen[-1] == (30, 30)
