"""From a plan to ledger rows: channels, language, digest, quiet hours, subscriptions."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from services.notify.calendar import defer_past_quiet
from services.notify.configuration import CountyConfig
from services.notify.planning import Plan
from services.notify.tables import delivery_id

__all__ = ["Router"]

ConfigFor = Callable[[str], CountyConfig]


class Router:
    """Turns plans into delivery rows for the ledger, per the county's configuration."""

    def __init__(self, config_for: ConfigFor) -> None:
        self.config_for = config_for

    def rows(self, plans: Iterable[Plan], now: datetime) -> list[dict[str, Any]]:
        """One row per plan and channel, plus one per agency subscription and cause."""
        rows: list[dict[str, Any]] = []
        subscribed: set[tuple[str, str]] = set()
        for plan in plans:
            config = self.config_for(plan.county)
            if plan.kind in config.kinds_off:
                continue
            rows.extend(self._routed(config, plan, now))
            for sub in config.subscriptions:
                wanted = not sub.kinds or plan.kind in sub.kinds
                if wanted and (plan.cause_id, sub.name) not in subscribed:
                    subscribed.add((plan.cause_id, sub.name))
                    hook = Plan(
                        plan.kind,
                        plan.cause_id,
                        plan.county,
                        f"webhook:{sub.name}",
                        {**plan.context, "recipient": plan.recipient},
                        plan.due,
                    )
                    rows.append(self.row(config, hook, "webhook", "pending", now))
        return rows

    def _routed(self, config: CountyConfig, plan: Plan, now: datetime) -> list[dict[str, Any]]:
        endpoint = config.recipients.get(plan.recipient)
        if endpoint is not None and endpoint.channels:
            channels = endpoint.channels
        elif plan.recipient.startswith("teacher:"):
            channels = ["email"]  # the address comes from the registry's contact data
        else:
            row = self.row(config, plan, "none", "skipped", now)
            row["last_error"] = f"no channel configured for {plan.recipient}"
            return [row]
        held = endpoint is not None and endpoint.digest and plan.kind != "digest"
        status = "held" if held else "pending"
        return [self.row(config, plan, channel, status, now) for channel in channels]

    def row(
        self, config: CountyConfig, plan: Plan, channel: str, status: str, now: datetime
    ) -> dict[str, Any]:
        """A ledger row, due now or at the end of the quiet hours."""
        endpoint = config.recipients.get(plan.recipient)
        language = (endpoint.language if endpoint else None) or config.language
        planned = (plan.due or now).astimezone(UTC)
        due = defer_past_quiet(planned, config.quiet, config.zone)
        return {
            "delivery_id": delivery_id(plan.cause_id, plan.recipient, channel),
            "cause_id": plan.cause_id,
            "county": plan.county,
            "kind": plan.kind,
            "recipient": plan.recipient,
            "channel": channel,
            "language": language,
            "context": json.dumps(plan.context, ensure_ascii=False, sort_keys=True),
            "status": status,
            "attempts": 0,
            "planned_at": planned,
            "due_at": due,
            "next_attempt_at": due,
            "last_error": None,
        }
