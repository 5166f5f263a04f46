"""Backups of the event streams, restored into an empty server, give the same projections.

One source server for the module holds real registry events (the sample county), counter
events (some appended as atomic batches, all under a trace), contact data with a teacher
erased (a gap in the sequences) and a dead letter; each test restores into an empty target
server of its own.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from nats.aio.client import Client
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from sqlalchemy import Engine, select

from eventlog import NEW, EventStore, connect
from eventlog.database import make_engine
from eventlog.deadletters import DeadLetters
from eventlog.projection import Projection, ProjectionRunner
from eventlog.reader import read_batches
from eventlog.store import AppendRequest
from eventlog.streams import declare_streams
from services.activities.registry_view import RegistryFacts
from services.registry.contacts.stream import (
    CONTACT_STREAM,
    contact_filter,
    contact_subject,
    declare_contact_stream,
)
from services.registry.views.projections import registry_views
from tests.fixtures import postgres as pg
from tests.fixtures.activities.registry import County, registry_events
from tests.support.counters import CounterBumped, CounterOpened, Counters
from tests.support.waiting import eventually
from yanpei.natsserver import EmbeddedNatsServer
from yanpei.ops.backup import (
    BackupError,
    BackupManifest,
    BackupTargetNotEmpty,
    CorruptBackup,
    ManifestMissing,
    PartialRestore,
    StreamNotEmpty,
    UnknownStream,
    UnsupportedFormat,
    backup,
    restore,
)

CODE = "330127"
TRACE_ID = 0x0AF7651916CD43DD8448EB211C80319C


@pytest.fixture(scope="module")
async def source(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Client]:
    """The server backed up, holding events of several streams (tests only read it)."""
    async with EmbeddedNatsServer(tmp_path_factory.mktemp("source-nats")) as server:
        nc = await connect(server.url, "backup-source")
        await declare_streams(nc.jetstream())
        await declare_contact_stream(nc.jetstream())
        await seed(nc)
        yield nc
        await nc.close()


@pytest.fixture(scope="module")
async def saved(source: Client, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup of the registry and system streams, for tests to copy and spoil."""
    out = tmp_path_factory.mktemp("saved") / "backup"
    await backup(source, out, streams=["EVT_REGISTRY", "EVT_SYSTEM"])
    return out


def copy_of(saved: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(saved, tmp_path / "backup"))


@pytest.fixture
async def target(tmp_path: Path) -> AsyncIterator[Client]:
    """An empty server of the test's own to restore into."""
    async with EmbeddedNatsServer(tmp_path / "target-nats") as server:
        nc = await connect(server.url, "backup-target")
        yield nc
        await nc.close()


@pytest.fixture
def target_database_url(
    request: pytest.FixtureRequest, database_url: str, tmp_path: Path
) -> Iterator[str]:
    """A second database on the same engine as ``database_url``, for the target's views."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'target.db'}"
        return
    server: pg.PostgresServer = request.getfixturevalue("postgres_server")
    url = pg.create_database(server.admin_url)
    yield url
    pg.drop_database(server.admin_url, url)


async def seed(nc: Client) -> None:
    """Registry, counter, contact and dead-letter messages, as the services write them."""
    registry = EventStore(nc, "registry")
    requests = [
        AppendRequest(registry.ref(CODE, aggregate, id_), events, NEW, command_id=f"cmd-{id_}")
        for aggregate, id_, events in registry_events(County(CODE))
    ]
    assert all(not isinstance(r, Exception) for r in await registry.append_many(requests))
    counters = EventStore(nc, "system")
    parent = SpanContext(TRACE_ID, 0x00F067AA0BA902B7, is_remote=True, trace_flags=TraceFlags(1))
    with trace.use_span(NonRecordingSpan(parent)):
        for i in range(3):
            ref = counters.ref(CODE, "counter", f"c{i}")
            opened = await counters.append(ref, [CounterOpened(label=f"counter {i}")], NEW)
            await counters.append(
                ref, [CounterBumped(by=1), CounterBumped(by=i + 2)], opened.version
            )
    js = nc.jetstream()
    for teacher in ("t1", "t2", "t1", "t3"):
        await js.publish(contact_subject(CODE, teacher, "ContactRecorded"), b'{"phone": "x"}')
    await js.purge_stream(CONTACT_STREAM, subject=contact_filter(CODE, "t1"))  # an erasure
    first, _ = await counters.load(counters.ref(CODE, "counter", "c0"))
    await DeadLetters(nc).send("test_counters", first[0], "a test letter", 3)


async def messages(nc: Client, stream: str) -> list[tuple]:
    """Every message of a stream: sequence, subject, envelope headers, body."""
    found = []
    async for batch in read_batches(nc, stream):
        for m in batch:
            kept = {k: v for k, v in m.headers.items() if not k.startswith("Nats-")}
            found.append((m.sequence, m.subject, kept, m.headers.get("Nats-Msg-Id"), m.data))
    return found


def projections() -> list[Projection]:
    return [*registry_views([CODE]), RegistryFacts([CODE]), Counters(CODE)]


async def rebuilt_rows(nc: Client, engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table of the projections, rebuilt from the server's log."""
    rows: dict[str, list[tuple]] = {}
    for projection in projections():
        await ProjectionRunner(nc, engine, projection).rebuild()
        with engine.connect() as tx:
            for base, table in projection.live_tables(tx).items():
                found = [tuple(r) for r in tx.execute(select(table))]
                rows[f"{projection.name}.{base}"] = sorted(found, key=repr)
    return rows


async def assert_same_log(source: Client, target: Client, manifest: BackupManifest) -> None:
    """Same messages on the same sequences, same envelope headers, same stream settings."""
    for saved in manifest.streams:
        assert await messages(target, saved.name) == await messages(source, saved.name)
        info = await target.jetstream().stream_info(saved.name)
        assert (info.state.first_seq, info.state.last_seq) == (saved.first_seq, saved.last_seq)
        assert info.config.deny_delete == saved.config["deny_delete"]
        assert info.config.duplicate_window == saved.config["duplicate_window"] / 1e9
        assert info.config.max_age == saved.config["max_age"] / 1e9  # DEAD_LETTERS: 90 days
    batched = (await messages(target, "EVT_SYSTEM"))[-1]
    assert batched[2]["traceparent"].startswith(f"00-{TRACE_ID:032x}-")
    assert batched[2]["ce-type"] == "system.TestCounterBumped.v1" and batched[2]["ce-id"]


async def test_restore_into_an_empty_server_gives_the_same_log_and_projections(
    source, target, tmp_path, database_url, target_database_url
):
    reported: list[tuple[str, int, int]] = []
    manifest = await backup(source, tmp_path / "backup", progress=lambda *a: reported.append(a))
    assert manifest.format_version == 1 and manifest.server_version.startswith("2.")
    names = [s.name for s in manifest.streams]
    assert names == sorted(names)
    assert {"DEAD_LETTERS", "EVT_ACTIVITIES", "EVT_CREDITS", "EVT_NOTIFY"} < set(names)
    assert {"EVT_REGISTRY", "EVT_SYSTEM", CONTACT_STREAM} < set(names)
    contacts = next(s for s in manifest.streams if s.name == CONTACT_STREAM)
    assert (contacts.first_seq, contacts.last_seq, contacts.messages) == (2, 4, 2)
    assert ("EVT_SYSTEM", 9, 9) in reported

    report = await restore(target, tmp_path / "backup")
    assert {s.name: s.fillers for s in report.streams}[CONTACT_STREAM] == 1  # #3 was erased
    await assert_same_log(source, target, manifest)

    source_engine, target_engine = make_engine(database_url), make_engine(target_database_url)
    try:
        before = await rebuilt_rows(source, source_engine)
        after = await rebuilt_rows(target, target_engine)
    finally:
        source_engine.dispose()
        target_engine.dispose()
    assert len(before["registry_teachers.teachers"]) == 20 * 20 + 6
    assert len(before["test_counters.counters"]) == 3
    assert after == before


def damage(kind: str, directory: Path) -> None:
    data = directory / "EVT_REGISTRY.jsonl.gz"
    manifest = directory / "manifest.json"
    if kind == "truncated":
        data.write_bytes(data.read_bytes()[:-100])
    elif kind == "altered":
        raw = bytearray(data.read_bytes())
        raw[len(raw) // 2] ^= 0xFF
        data.write_bytes(bytes(raw))
    elif kind == "re-compressed":  # valid gzip, a message dropped, checksum left as it was
        lines = gzip.decompress(data.read_bytes()).splitlines(keepends=True)
        data.write_bytes(gzip.compress(b"".join(lines[1:])))
    elif kind == "bad record, checksum updated":  # a matching checksum is not enough
        lines = gzip.decompress(data.read_bytes()).splitlines(keepends=True)
        data.write_bytes(gzip.compress(b"".join([b'{"seq": 1}\n', *lines[1:]])))
        saved = json.loads(manifest.read_text())
        saved["streams"][0]["sha256"] = hashlib.sha256(data.read_bytes()).hexdigest()
        manifest.write_text(json.dumps(saved))
    elif kind == "file missing":
        data.unlink()
    elif kind == "manifest missing":
        manifest.unlink()
    elif kind == "unknown format":
        manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "format_version": 9}))
    elif kind == "three replicas":  # one server cannot hold EVT_SYSTEM (the second)
        saved = json.loads(manifest.read_text())
        saved["streams"][1]["config"]["num_replicas"] = 3
        manifest.write_text(json.dumps(saved))


@pytest.mark.parametrize(
    ("kind", "error", "words"),
    [
        ("truncated", CorruptBackup, "does not match its checksum"),
        ("altered", CorruptBackup, "does not match its checksum"),
        ("re-compressed", CorruptBackup, "does not match its checksum"),
        ("bad record, checksum updated", CorruptBackup, "line 1 is not a message record"),
        ("file missing", CorruptBackup, "is missing"),
        ("manifest missing", ManifestMissing, "not a yanpei backup"),
        ("unknown format", UnsupportedFormat, "format 9"),
        ("three replicas", BackupError, "refused to create stream EVT_SYSTEM"),
    ],
)
async def test_a_backup_that_cannot_be_restored_is_refused_before_anything_is_written(
    saved, target, tmp_path, kind, error, words
):
    directory = copy_of(saved, tmp_path)
    damage(kind, directory)
    with pytest.raises(error, match=words):
        await restore(target, directory)
    assert await target.jetstream().streams_info() == []


async def test_restore_into_a_stream_holding_messages_is_refused(saved, target):
    await declare_streams(target.jetstream())
    ref = EventStore(target, "system").ref(CODE, "counter", "elsewhere")
    await EventStore(target, "system").append(ref, [CounterOpened(label="already here")], NEW)
    with pytest.raises(StreamNotEmpty, match="stream EVT_SYSTEM on the target server"):
        await restore(target, saved)
    assert (await target.jetstream().stream_info("EVT_REGISTRY")).state.messages == 0


async def test_a_stream_failing_mid_restore_is_named_and_the_rerun_finishes_the_restore(
    source, saved, target, tmp_path
):
    directory = copy_of(saved, tmp_path)
    path = directory / "manifest.json"
    good = json.loads(path.read_text())
    bad = json.loads(path.read_text())
    bad["streams"][1]["config"].update(max_msgs=4, discard="old")  # the server drops five
    path.write_text(json.dumps(bad))
    with pytest.raises(PartialRestore, match="EVT_SYSTEM is now partial") as failed:
        await restore(target, directory)
    assert "Streams fully restored: EVT_REGISTRY" in str(failed.value)
    assert "delete EVT_SYSTEM" in str(failed.value)

    await target.jetstream().delete_stream("EVT_SYSTEM")  # as the error says
    path.write_text(json.dumps(good))
    report = await restore(target, directory)
    assert report.skipped == ["EVT_REGISTRY"]
    assert [(s.name, s.messages) for s in report.streams] == [("EVT_SYSTEM", 9)]
    await assert_same_log(source, target, BackupManifest.read(directory))


async def test_backup_refuses_an_unknown_stream_and_a_used_directory(source, tmp_path):
    with pytest.raises(UnknownStream, match="no stream EVT_NOWHERE"):
        await backup(source, tmp_path / "backup", streams=["EVT_SYSTEM", "EVT_NOWHERE"])
    assert not (tmp_path / "backup").exists()
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "notes.txt").write_text("keep me")
    with pytest.raises(BackupTargetNotEmpty, match="not empty"):
        await backup(source, tmp_path / "used")
    assert [p.name for p in (tmp_path / "used").iterdir()] == ["notes.txt"]


async def test_a_message_id_repeated_in_the_log_is_restored_on_its_sequence(
    source, target, tmp_path
):
    js = source.jetstream()
    await js.add_stream(name="REPEATS", subjects=["repeats.>"], duplicate_window=0.1)
    await js.publish("repeats.a", b"first", headers={"Nats-Msg-Id": "letter-1"})
    await js.publish("repeats.b", b"other", headers={"Nats-Msg-Id": "letter-2"})

    async def filed_again() -> bool:  # the same id, once the window has passed
        ack = await js.publish("repeats.a", b"again", headers={"Nats-Msg-Id": "letter-1"})
        return not ack.duplicate

    await eventually(filed_again, what="the duplicate window to pass")
    await backup(source, tmp_path / "backup", streams=["REPEATS"])
    report = await restore(target, tmp_path / "backup")
    assert [(s.name, s.messages, s.last_seq) for s in report.streams] == [("REPEATS", 3, 3)]
    restored = await messages(target, "REPEATS")
    assert restored == await messages(source, "REPEATS")
    assert [(m[0], m[3], m[4]) for m in restored] == [
        (1, "letter-1", b"first"),
        (2, "letter-2", b"other"),
        (3, "letter-1", b"again"),
    ]


async def test_a_long_stream_with_gaps_at_its_start_middle_and_end_comes_back_whole(
    source, target, tmp_path
):
    js = source.jetstream()
    await js.add_stream(name="LONG", subjects=["long.>"])
    for i in range(1, 5001):
        await js.publish_async(f"long.{i % 7}", f"message {i}".encode(), headers={"n": str(i)})
    await js.publish_async_completed()
    for seq in (1, 2, 2500, 2501, 4000, 5000):  # aged out, purged, erased
        await js.delete_msg("LONG", seq)
    seen: list[int] = []
    manifest = await backup(
        source,
        tmp_path / "backup",
        streams=["LONG"],
        progress=lambda _s, done, _t: seen.append(done),
    )
    assert (manifest.streams[0].first_seq, manifest.streams[0].last_seq) == (3, 5000)
    assert len(seen) > 4, "written batch by batch"
    report = await restore(target, tmp_path / "backup")
    assert (report.streams[0].messages, report.streams[0].fillers) == (4994, 4)
    assert await messages(target, "LONG") == await messages(source, "LONG")
    state = (await target.jetstream().stream_info("LONG")).state
    assert (state.first_seq, state.last_seq, state.messages) == (3, 5000, 4994)
