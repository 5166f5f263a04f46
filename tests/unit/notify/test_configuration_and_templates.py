"""County settings load and validate; every kind renders in both languages; the CLI."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from services.notify.cli import app
from services.notify.configuration import load_county
from services.notify.planning import KINDS
from services.notify.rendering import SAMPLES, Renderer, UnknownTemplate, preview


def test_defaults_hold_the_documented_deadlines():
    config = load_county("510781")
    rules = {r.id: r.deadline for r in config.reminders}
    assert rules["school-materials-1-5"].yearly == "02-24"
    assert rules["material-6"].yearly == "05-08"
    assert rules["term-summary"].yearly == "06-30"
    assert rules["material-7-monthly"].last_weekday == "friday"
    assert rules["monthly-plan"].monthly_day == 20
    assert config.time_zone == "Asia/Shanghai" and config.quiet is not None


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "Mars/Olympus"),
        (
            {
                "reminders": [
                    {
                        "id": "x",
                        "title": {"zh": "x"},
                        "deadline": {},
                        "audience": {"all_schools": True},
                    }
                ]
            },
            "exactly one",
        ),
        (
            {
                "reminders": [
                    {
                        "id": "x",
                        "title": {"zh": "x"},
                        "deadline": {"yearly": "13-01"},
                        "audience": {"all_schools": True},
                    }
                ]
            },
            "yearly",
        ),
        (
            {
                "reminders": [
                    {
                        "id": "x",
                        "title": {"zh": "x"},
                        "deadline": {"monthly_day": 20},
                        "audience": {"all_schools": True, "researchers": True},
                    }
                ]
            },
            "audience is exactly one",
        ),
        ({"recipients": {"S1": {"email": "a@b.cn"}}}, "teacher:<id> or school:<id>"),
        ({"unknown_key": 1}, "unknown_key"),
    ],
)
def test_bad_settings_are_refused_with_the_field(extra, message):
    with pytest.raises((ValidationError, ValueError), match=message):
        load_county("999999", extra=extra)


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_in_both_languages(kind, language):
    message = preview(kind, language)
    assert message.subject and "\n" not in message.subject and message.body.strip()


def test_a_missing_value_is_an_error_not_a_blank():
    with pytest.raises(Exception, match="undefined"):
        Renderer().render("activity_scheduled", "zh", {"title": "x"})


def test_unknown_kind_or_language():
    with pytest.raises(UnknownTemplate):
        preview("nonsense", "zh")
    with pytest.raises(UnknownTemplate):
        Renderer().render("activity_scheduled", "fr", SAMPLES["activity_scheduled"])


def test_a_reminder_title_follows_the_language():
    context = {
        "titles": {"zh": "学期总结", "en": "Term summary"},
        "deadline": "2027-06-30",
        "days_before": 1,
    }
    assert "Term summary" in Renderer().render("deadline_reminder", "en", context).subject
    assert "学期总结" in Renderer().render("deadline_reminder", "zh", context).subject


def test_cli_preview_and_an_unknown_kind():
    runner = CliRunner()
    result = runner.invoke(app, ["preview", "hours_shortfall", "--lang", "en"])
    assert result.exit_code == 0 and "Hours short" in result.output
    assert runner.invoke(app, ["preview", "nope"]).exit_code == 2


def test_cli_calendar_lists_the_coming_reminders():
    result = CliRunner().invoke(
        app, ["calendar", "510781", "--days", "400"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0
    assert "school-materials-1-5" in result.output and "material-7-monthly" in result.output


def test_cli_log_filters_and_exports(tmp_path, monkeypatch):
    from datetime import UTC, datetime

    from eventlog.database import make_engine, writing
    from services.notify.tables import deliveries, metadata

    url = f"sqlite:///{tmp_path / 'n.db'}"
    monkeypatch.setenv("YANPEI_DATABASE_URL", url)
    engine = make_engine(url)
    now = datetime(2026, 3, 2, tzinfo=UTC)
    with writing(engine) as tx:
        metadata.create_all(tx)
        for n, status in enumerate(["sent", "failed", "sent"]):
            tx.execute(
                deliveries.insert().values(
                    delivery_id=f"d{n}",
                    cause_id=f"e{n}",
                    county="510781",
                    kind="quota_met",
                    recipient=f"school:S{n}",
                    channel="email",
                    language="zh",
                    context="{}",
                    status=status,
                    attempts=1,
                    planned_at=now,
                    due_at=now,
                    next_attempt_at=now,
                    last_error="HTTP 503" if status == "failed" else None,
                )
            )
    engine.dispose()
    runner = CliRunner()
    shown = runner.invoke(app, ["log", "--status", "failed"])
    assert shown.exit_code == 0 and "school:S1" in shown.output and "school:S0" not in shown.output
    out = tmp_path / "log.csv"
    assert runner.invoke(app, ["log", "--kind", "quota_met", "--csv", str(out)]).exit_code == 0
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 4
    xlsx = tmp_path / "log.xlsx"
    result = runner.invoke(app, ["log", "--since", "2026-03-01", "--xlsx", str(xlsx)])
    assert result.exit_code == 0 and xlsx.exists()
    assert runner.invoke(app, ["log", "--status", "lost"]).exit_code != 0
    requeued = runner.invoke(app, ["requeue", "--kind", "quota_met"])
    assert requeued.exit_code == 0 and "1 failed deliveries" in requeued.output
    assert "school:S1" in runner.invoke(app, ["log", "--status", "pending"]).output
