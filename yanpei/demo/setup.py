"""What the demo prepares before it starts the services: its configuration and a mail sink.

The configuration is the services' shipped configuration copied into the demo's folder and
given to the services as ``YANPEI_CONFIG_DIR`` (as Kubernetes mounts its ConfigMaps), with
three demo settings: sign-in stays open for last autumn's activities (the demo back-fills
them), notify sends at any hour and looks at its calendar every two seconds. The mail sink
is an SMTP server on a free loopback port that keeps every message in a Maildir folder.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import mailbox
import multiprocessing
import os
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from aiosmtpd.controller import Controller

from services.activities.configuration import CONFIG_DIR as ACTIVITIES_CONFIG
from services.credits.rules import CONFIG_DIR as CREDITS_CONFIG
from services.notify.configuration import CONFIG_DIR as NOTIFY_CONFIG
from yanpei.demo.county import DEMO_COUNTY

__all__ = ["mail_sink", "write_config", "write_proposal"]

_OVERRIDES: dict[str, dict[str, Any]] = {
    "activities": {"sign_in_grace_days": 1000},
    "notify": {
        "quiet_hours": None,
        "recipients": {
            f"school:{school}": {"email": f"office@{school}.demo.invalid"}
            for school in DEMO_COUNTY.schools()
        },
        "subscriptions": [],
    },
}
_PROPOSAL = {
    "role_weights": {
        "presenter": 2.5,
        "lecturer": 2.0,
        "evaluator": 1.0,
        "attendee": 1.0,
        "organiser": 1.0,
    },
    "grandfathering": {"policy": "retroactive"},
    "effective_from": "2021-01-01",
}
"""The change tried: presenting a lesson earns 2.5 times its hours (was 2), evaluating one
no more than attending (was 1.5), applied to the past."""


def write_config(folder: Path) -> Path:
    """The services' configuration with the demo's overrides, under ``folder``."""
    for name, shipped in (
        ("activities", ACTIVITIES_CONFIG),
        ("credits", CREDITS_CONFIG),
        ("notify", NOTIFY_CONFIG),
    ):
        shutil.copytree(shipped, folder / name, dirs_exist_ok=True)
    for name, override in _OVERRIDES.items():
        county_file = folder / name / "counties" / f"{DEMO_COUNTY.code}.yaml"
        county_file.parent.mkdir(parents=True, exist_ok=True)
        data = yaml.safe_load(county_file.read_text("utf-8")) if county_file.exists() else {}
        county_file.write_text(
            "# The demo's settings over the county's own.\n"
            + yaml.safe_dump({**(data or {}), **override}, allow_unicode=True),
            encoding="utf-8",
        )
    return folder


def write_proposal(config: Path, out: Path) -> Path:
    """The county's proposed rule change, made retroactive so last autumn is recomputed."""
    proposed = config / "credits" / "proposed" / f"{DEMO_COUNTY.code}-v2.yaml"
    data = yaml.safe_load(proposed.read_text("utf-8"))
    data.update(_PROPOSAL, version=f"{data['version']}-trial")
    out.write_text(
        "# The proposed rules, presenters weighted 2.5 and evaluators 1.0, tried on the past:\n"
        "# what would last autumn have earned?\n"
        + yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    return out


class _RawMaildir:
    """An aiosmtpd handler keeping each message as it arrived, in a Maildir.

    The bytes are written unparsed (aiosmtpd's ``Mailbox`` parses every message and writes
    it anew), and without ``mailbox``'s fsync per message: the sink answers every SMTP
    session from one event loop, so a sync per message made all deliveries wait on the
    disk in turn. A demo's mail need not survive a power cut.
    """

    def __init__(self, folder: Path) -> None:
        mailbox.Maildir(folder)  # creates tmp/, new/ and cur/
        self.folder = folder
        self.count = itertools.count()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        name = f"{time.time():.6f}.{os.getpid()}_{next(self.count)}.yanpei-demo"
        staged = self.folder / "tmp" / name
        staged.write_bytes(envelope.original_content or envelope.content)
        staged.replace(self.folder / "new" / name)  # the Maildir way: whole or not at all
        return "250 Message accepted for delivery"


@contextlib.contextmanager
def mail_sink(folder: Path) -> Iterator[tuple[int, mailbox.Maildir]]:
    """An SMTP server on a free loopback port storing into a Maildir; (port, the Maildir).

    The server runs in a process of its own, so receiving thousands of messages takes
    the second core rather than the time of the services under demonstration.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Event(), context.Event()
    process = context.Process(
        target=_serve_mail, args=(folder, port, ready, stop), name="mail-sink", daemon=True
    )
    process.start()
    try:
        if not ready.wait(timeout=60):
            raise RuntimeError(f"the demo's mail sink did not start on port {port}")
        yield port, mailbox.Maildir(folder)
    finally:
        stop.set()
        process.join(timeout=10)
        if process.is_alive():
            process.kill()


def _serve_mail(folder: Path, port: int, ready: Any, stop: Any) -> None:
    """The mail sink's process: serve until told to stop."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: a line per command
    controller = Controller(_RawMaildir(folder), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    try:
        stop.wait()
    finally:
        controller.stop()
