"""Backups of the event streams, and restoring them into an empty server.

The log is the source of truth and every table a projection, so a backup of the streams is
a backup of yanpei: restore the streams, rebuild the projections, and the state is back.

A backup is a directory: ``manifest.json`` (format version, when, the server's version and,
per stream, its configuration, first and last sequence, message count and the SHA-256 of its
data file) and one ``<STREAM>.jsonl.gz`` per stream, one JSON object per message in
sequence order: ``{"seq", "subject", "time", "headers", "data"}`` (``data`` in base64,
``time`` the envelope's ``ce-time``). Reading goes through :func:`eventlog.reader.read_batches`,
so memory stays flat however long a stream is.

A restore republishes every message so that it lands on its original sequence: the stream
is created from the saved configuration at the first sequence, gaps left by deleted or
purged messages are filled with a filler that is deleted at once, and every
acknowledgement must name the message's original sequence. See docs/operations.md
("Backups").
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gzip
import hashlib
import json
import shutil
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from eventlog.messages import StoredEvent
from eventlog.reader import read_batches

__all__ = [
    "FORMAT_VERSION",
    "BackupError",
    "BackupManifest",
    "BackupTargetNotEmpty",
    "CorruptBackup",
    "ManifestMissing",
    "PartialRestore",
    "RestoreReport",
    "RestoredStream",
    "StreamBackup",
    "StreamNotEmpty",
    "UnknownStream",
    "UnsupportedFormat",
    "backup",
    "restore",
]

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
Progress = Callable[[str, int, int], None]

_CHUNK = 2000
"""Messages published before their acknowledgements are awaited (pipelining)."""
_ACK_TIMEOUT = 30.0
_RESTORE_DUPLICATE_WINDOW_NS = 100_000_000
"""The smallest duplicate window the server accepts; the saved one is set back at the end."""
_RECENT_SECONDS = 2.0
"""How long a restored message id is remembered: well past the restore's duplicate window."""
_KEPT_NATS_HEADERS = frozenset({"Nats-Msg-Id"})
_FILLER_HEADER = "Yanpei-Restore-Filler"


# ---------------------------------------------------------------------------- errors


class BackupError(Exception):
    """A backup or restore could not be done; the message tells the operator what to do."""


class ManifestMissing(BackupError):
    """The directory holds no readable ``manifest.json``: it is not a yanpei backup."""


class UnsupportedFormat(BackupError):
    """The backup was written in a format this version of yanpei cannot read."""


class CorruptBackup(BackupError):
    """A data file is missing, truncated or altered (its checksum or contents disagree)."""


class UnknownStream(BackupError):
    """A stream asked for is not on the server, or cannot be backed up by itself."""


class BackupTargetNotEmpty(BackupError):
    """The output directory already holds files; a backup never overwrites one."""


class StreamNotEmpty(BackupError):
    """A stream to restore already holds messages on the target server."""


class PartialRestore(BackupError):
    """A restore failed part-way through a stream; that stream must be deleted and retried."""

    def __init__(self, stream: str, done: Sequence[str], reason: str) -> None:
        finished = ", ".join(done) or "none"
        super().__init__(
            f"restore stopped in stream {stream}: {reason}. {stream} is now partial. "
            f"Streams fully restored: {finished}. To finish, delete {stream} "
            f"(`nats stream rm {stream}`) and run the same restore again: the streams "
            "already restored are recognised and skipped."
        )
        self.stream = stream


# ---------------------------------------------------------------------- the manifest


@dataclass(frozen=True)
class StreamBackup:
    """One stream in a backup: its configuration and what its data file holds."""

    name: str
    config: dict[str, Any]
    first_seq: int
    last_seq: int
    messages: int
    sha256: str
    file: str


@dataclass(frozen=True)
class BackupManifest:
    """What a backup holds; written as ``manifest.json``."""

    format_version: int
    taken_at: str
    server_version: str
    streams: tuple[StreamBackup, ...]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def read(cls, directory: Path) -> BackupManifest:
        """The manifest of a backup directory, checked for shape and version."""
        path = directory / MANIFEST
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ManifestMissing(f"{directory} is not a yanpei backup: no {MANIFEST}") from None
        except (OSError, ValueError) as exc:
            raise ManifestMissing(f"{path} cannot be read as JSON: {exc}") from None
        version = raw.get("format_version") if isinstance(raw, dict) else None
        if version != FORMAT_VERSION:
            raise UnsupportedFormat(
                f"{path} is in backup format {version!r}; this yanpei reads format "
                f"{FORMAT_VERSION}. Restore it with the yanpei version that wrote it."
            )
        try:
            streams = tuple(StreamBackup(**s) for s in raw["streams"])
            return cls(version, raw["taken_at"], raw["server_version"], streams)
        except (KeyError, TypeError) as exc:
            raise ManifestMissing(f"{path} is not a complete backup manifest ({exc})") from None


@dataclass(frozen=True)
class RestoredStream:
    """One restored stream: messages republished, fillers used for gaps, last sequence."""

    name: str
    messages: int
    last_seq: int
    fillers: int


@dataclass
class RestoreReport:
    """What a restore did, stream by stream."""

    source: Path
    taken_at: str
    streams: list[RestoredStream] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Streams already restored completely by an earlier run of the same restore."""
    seconds: float = 0.0


# --------------------------------------------------------------------------- backup


async def backup(
    nc: Client,
    out: Path,
    streams: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> BackupManifest:
    """Write every stream (or those named) to a new backup directory ``out``.

    Each stream is read up to its last sequence as the read begins, one after the other
    (projections keep a checkpoint per stream: they need no common instant). Files are
    written beside ``out`` and moved into place at the end, so a failed backup leaves
    nothing that looks like a backup.

    Raises:
        BackupTargetNotEmpty: ``out`` already holds files.
        UnknownStream: a named stream is not on the server, or is a mirror or sourced.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BackupTargetNotEmpty(f"{out} already exists and is not empty; name a new directory")
    names = await _streams_to_back_up(nc, nc.jetstream(), streams)
    partial = out.with_name(f".{out.name}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        saved = [await _back_up_stream(nc, name, partial, progress) for name in names]
        manifest = BackupManifest(FORMAT_VERSION, _now(), _server_version(nc), tuple(saved))
        (partial / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        if out.exists():
            out.rmdir()
        partial.rename(out)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return manifest


async def _streams_to_back_up(
    nc: Client, js: JetStreamContext, wanted: Sequence[str] | None
) -> list[str]:
    """The named streams, or every stream on the server that is not fed from another one.

    Mirrors and sourced streams (the province roll-up) are copies: they are refilled from
    their origins once those are restored, so they are not backed up.
    """
    if wanted:
        for name in wanted:
            config = await _raw_config(nc, name)
            if config is None:
                raise UnknownStream(f"no stream {name} on the server")
            if config.get("mirror") or config.get("sources"):
                raise UnknownStream(
                    f"{name} is a mirror or sourced stream: back up the streams it copies"
                )
        return list(wanted)
    infos = await js.streams_info()
    return sorted(
        i.config.name for i in infos if i.config.name and not (i.config.mirror or i.config.sources)
    )


async def _raw_config(nc: Client, name: str) -> dict[str, Any] | None:
    """The stream's configuration exactly as the server states it (every field, also those
    nats-py does not model), or None when there is no such stream."""
    info = await _raw_info(nc, name)
    return None if info is None else dict(info["config"])


async def _raw_info(nc: Client, name: str) -> dict[str, Any] | None:
    """The server's own description of a stream (config and state), None when absent."""
    reply = await nc.request(f"$JS.API.STREAM.INFO.{name}", b"", timeout=10)
    info = json.loads(reply.data)
    if "error" in info:
        if info["error"].get("code") == 404:
            return None
        raise BackupError(f"NATS refused to describe stream {name}: {info['error']}")
    return dict(info)


async def _back_up_stream(
    nc: Client, name: str, directory: Path, progress: Progress | None
) -> StreamBackup:
    """Write one stream's messages, in order, to ``<name>.jsonl.gz``."""
    config = await _raw_config(nc, name)
    if config is None:
        raise UnknownStream(f"stream {name} disappeared during the backup")
    state = (await nc.jetstream().stream_info(name)).state
    last, total = int(state.last_seq), int(state.messages)
    file = f"{name}.jsonl.gz"
    writer = _DataWriter(directory / file)
    try:
        async for batch in read_batches(nc, name, end=last):
            await asyncio.to_thread(writer.write, batch)
            if progress:
                progress(name, writer.count, max(total, writer.count))
    finally:
        writer.close()
    if progress:
        progress(name, writer.count, writer.count)
    first = writer.first if writer.count else int(state.first_seq)  # as the server says
    return StreamBackup(name, config, first, last, writer.count, writer.digest(), file)


def _line(seq: int, subject: str, headers: dict[str, str], data: bytes) -> bytes:
    record = {
        "seq": seq,
        "subject": subject,
        "time": headers.get("ce-time"),
        "headers": headers,
        "data": base64.b64encode(data).decode("ascii"),
    }
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


class _Hashing:
    """A binary file wrapper that hashes every byte going through it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        return self.raw.write(data)

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha.update(data)
        return data

    def flush(self) -> None:
        self.raw.flush()


class _DataWriter:
    """A stream's data file: gzip over a hashing writer, so the checksum costs no re-read."""

    def __init__(self, path: Path) -> None:
        self.raw = path.open("wb")
        self.hashing = _Hashing(self.raw)
        self.gz = gzip.GzipFile(filename="", mode="wb", fileobj=self.hashing, compresslevel=6)
        self.count = 0
        self.first = 0

    def write(self, batch: list[StoredEvent]) -> None:
        """Encode and compress a batch (in a worker thread, while the next one is read)."""
        if not self.count:
            self.first = batch[0].sequence
        self.gz.write(b"".join(_line(m.sequence, m.subject, m.headers, m.data) for m in batch))
        self.count += len(batch)

    def close(self) -> None:
        if not self.gz.closed:
            self.gz.close()
            self.raw.close()

    def digest(self) -> str:
        return self.hashing.sha.hexdigest()


# -------------------------------------------------------------------------- restore


async def restore(nc: Client, source: Path, progress: Progress | None = None) -> RestoreReport:
    """Restore a backup into a server where its streams are absent or empty.

    Nothing is written before the manifest, every data file (checksum, records, count) and
    every target stream have been checked; then all streams are created empty, so a refused
    configuration writes nothing. A failure while filling names the one partial stream:
    delete it and rerun; streams completed by the earlier run are skipped.

    Raises:
        ManifestMissing, UnsupportedFormat, CorruptBackup: the backup is unusable.
        StreamNotEmpty: a target stream holds messages (and is not this backup's, restored).
        BackupError: the server refused a stream's configuration; nothing was written.
        PartialRestore: a stream could not be completed.
    """
    started = time.perf_counter()
    source = Path(source)
    manifest = BackupManifest.read(source)
    todo = await _streams_to_restore(nc, source, manifest)
    report = RestoreReport(source, manifest.taken_at)
    report.skipped = [s.name for s in manifest.streams if s not in todo]
    await _create_streams(nc, todo)
    for saved in todo:
        try:
            report.streams.append(await _fill_stream(nc, source, saved, progress))
        except Exception as exc:  # the server, the connection or the file failed mid-stream
            reason = str(exc) if isinstance(exc, BackupError) else f"{type(exc).__name__}: {exc}"
            raise PartialRestore(saved.name, [s.name for s in report.streams], reason) from exc
    report.seconds = time.perf_counter() - started
    return report


async def _streams_to_restore(
    nc: Client, source: Path, manifest: BackupManifest
) -> list[StreamBackup]:
    """The streams still to restore, once every file and every target has been checked."""
    tails = [await asyncio.to_thread(_verify_file, source, s) for s in manifest.streams]
    todo = []
    for saved, tail in zip(manifest.streams, tails, strict=True):
        info = await _raw_info(nc, saved.name)
        state = (info or {}).get("state", {})
        if not state.get("messages") and not state.get("last_seq"):
            todo.append(saved)
        elif not await _already_restored(nc, saved, info or {}, tail):
            raise StreamNotEmpty(
                f"stream {saved.name} on the target server has been written to "
                f"({state.get('messages')} message(s), last sequence {state.get('last_seq')}); "
                "a restore only writes into absent or empty streams. Restore into a new "
                "server, or delete the stream first if its contents are not needed. "
                "Nothing was written."
            )
    return todo


async def _already_restored(
    nc: Client, saved: StreamBackup, info: dict[str, Any], tail: dict[str, Any] | None
) -> bool:
    """Whether a stream is this backup's, completely restored by an earlier run.

    Same first and last sequence and count, the saved settings in force (set only once a
    stream is complete), and the same last message.
    """
    state, config = info.get("state", {}), info.get("config", {})
    counts = (state.get("messages"), state.get("first_seq"), state.get("last_seq"))
    if counts != (saved.messages, saved.first_seq, saved.last_seq):
        return False
    wanted = _final_config(saved)
    if any(config.get(k) != v for k, v in wanted.items() if k != "metadata"):
        return False
    if tail is None:
        return True
    try:
        last = await nc.jetstream().get_msg(saved.name, tail["seq"])
    except NotFoundError:
        return False
    return (last.subject, last.data) == (tail["subject"], tail["data"])


async def _create_streams(nc: Client, streams: Sequence[StreamBackup]) -> None:
    """Create every stream to restore, empty; if one is refused, remove those just made."""
    created: list[str] = []
    try:
        for saved in streams:
            await _create_for_restore(nc, saved)
            created.append(saved.name)
    except BaseException:
        js = nc.jetstream()
        for name in created:
            with contextlib.suppress(Exception):
                await js.delete_stream(name)
        raise


def _verify_file(directory: Path, saved: StreamBackup) -> dict[str, Any] | None:
    """Read the whole data file once: checksum, then the records against the manifest.

    Returns the last record (None for an empty stream), to recognise a restored stream.
    """
    path = directory / saved.file
    if Path(saved.file).name != saved.file or not path.is_file():
        raise CorruptBackup(f"{path} is missing: the backup of {saved.name} is incomplete")
    count, previous, tail = 0, saved.first_seq - 1, None
    with path.open("rb") as raw:
        hashing = _Hashing(raw)
        try:
            for tail in _records(hashing, path):
                if not previous < tail["seq"] <= saved.last_seq:
                    raise CorruptBackup(f"{path}: message #{tail['seq']} is out of order")
                previous, count = tail["seq"], count + 1
        except CorruptBackup:
            if _sha256(path) != saved.sha256:
                raise _checksum_error(path, saved) from None
            raise
        while hashing.read(1 << 20):
            pass  # bytes after the gzip stream count for the checksum too
    if hashing.sha.hexdigest() != saved.sha256:
        raise _checksum_error(path, saved)
    if count != saved.messages:
        raise CorruptBackup(f"{path} holds {count} messages, the manifest says {saved.messages}")
    return tail


def _checksum_error(path: Path, saved: StreamBackup) -> CorruptBackup:
    return CorruptBackup(
        f"{path} does not match its checksum in the manifest (truncated or altered): "
        f"{saved.name} cannot be restored from this backup; nothing was written"
    )


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def _records(raw: Any, path: Path) -> Iterator[dict[str, Any]]:
    """The records of a data file, each checked for its fields; CorruptBackup otherwise."""
    try:
        with gzip.GzipFile(filename="", mode="rb", fileobj=raw) as gz:
            for number, line in enumerate(gz, start=1):
                record = json.loads(line)
                if not _is_record(record):
                    raise CorruptBackup(f"{path}: line {number} is not a message record")
                record["data"] = base64.b64decode(record["data"], validate=True)
                yield record
    except (OSError, EOFError, ValueError, zlib.error) as exc:
        raise CorruptBackup(f"{path} cannot be read ({type(exc).__name__}: {exc})") from None


def _is_record(record: Any) -> bool:
    return (
        isinstance(record, dict)
        and isinstance(record.get("seq"), int)
        and isinstance(record.get("subject"), str)
        and isinstance(record.get("headers"), dict)
        and all(isinstance(v, str) for v in record["headers"].values())
        and isinstance(record.get("data"), str)
    )


async def _fill_stream(
    nc: Client, directory: Path, saved: StreamBackup, progress: Progress | None
) -> RestoredStream:
    """Republish a created stream's messages on their sequences, then set its config."""
    js = nc.jetstream(timeout=_ACK_TIMEOUT)
    publisher = _Publisher(js, saved)
    path = directory / saved.file
    with path.open("rb") as raw:
        records = _records(raw, path)
        while chunk := await asyncio.to_thread(_take, records, _CHUNK):
            await publisher.publish(chunk)
            if progress:
                progress(saved.name, publisher.messages, saved.messages)
    await publisher.finish(saved.last_seq)
    await _stream_request(nc, "UPDATE", saved.name, _final_config(saved))
    info = await js.stream_info(saved.name)
    if (info.state.messages, info.state.last_seq) != (saved.messages, saved.last_seq):
        raise BackupError(
            f"{saved.name} holds {info.state.messages} messages up to #{info.state.last_seq} "
            f"after the restore; the backup has {saved.messages} up to #{saved.last_seq}"
        )
    if progress:
        progress(saved.name, saved.messages, saved.messages)
    return RestoredStream(saved.name, publisher.messages, saved.last_seq, publisher.fillers)


def _take(records: Iterator[dict[str, Any]], size: int) -> list[dict[str, Any]]:
    return [r for _, r in zip(range(size), records, strict=False)]


async def _create_for_restore(nc: Client, saved: StreamBackup) -> None:
    """Create the stream as saved, but open for the restore's own work.

    Deletes (for gap fillers) are allowed; limits are lifted, so a filler can never push
    out a message the original kept; the duplicate window is the shortest the server
    accepts, so a message id legitimately repeated in the log is not dropped. The saved
    settings are put back once every message is in. An empty stream of the same name
    (declared by a service started early) is replaced.
    """
    with contextlib.suppress(NotFoundError):
        await nc.jetstream().delete_stream(saved.name)
    config = dict(_final_config(saved))
    config.update(
        deny_delete=False,
        deny_purge=False,
        sealed=False,
        duplicate_window=_RESTORE_DUPLICATE_WINDOW_NS,
        max_msgs=-1,
        max_bytes=-1,
        max_msgs_per_subject=-1,
        max_age=0,
    )
    if saved.first_seq > 1:
        config["first_seq"] = saved.first_seq
    await _stream_request(nc, "CREATE", saved.name, config)


def _final_config(saved: StreamBackup) -> dict[str, Any]:
    """The saved configuration without what the server sets by itself."""
    config = {k: v for k, v in saved.config.items() if k != "first_seq"}
    metadata = {
        k: v for k, v in (config.get("metadata") or {}).items() if not k.startswith("_nats.")
    }
    config["metadata"] = metadata
    return config


async def _stream_request(nc: Client, verb: str, name: str, config: dict[str, Any]) -> None:
    reply = await nc.request(
        f"$JS.API.STREAM.{verb}.{name}", json.dumps(config).encode(), timeout=_ACK_TIMEOUT
    )
    answer = json.loads(reply.data)
    if "error" in answer:
        error = answer["error"]
        raise BackupError(
            f"NATS refused to {verb.lower()} stream {name}: {error.get('description')} "
            f"(err_code {error.get('err_code')})"
        )


class _Publisher:
    """Republishes one stream's messages, pipelined, each on its original sequence.

    Each acknowledgement must name the message's original sequence, or the stream is
    reported partial. The messages carry exactly their saved headers (no expected-sequence
    header of the restore's own is stored with them). A message id repeated within the
    restore's duplicate window is sent again until the server stops calling it a duplicate.
    """

    def __init__(self, js: JetStreamContext, saved: StreamBackup) -> None:
        self.js = js
        self.saved = saved
        self.last = max(saved.first_seq, 1) - 1
        self.messages = 0
        self.fillers = 0
        self.last_subject: str | None = None
        self.recent_ids: dict[str, float] = {}
        self.in_flight: list[tuple[int, asyncio.Future[Any]]] = []

    async def publish(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            if record["seq"] > self.last + 1:
                await self._settle()
                await self.fill_to(record["seq"] - 1, record["subject"])
            headers = _restored_headers(record["headers"])
            msg_id = headers.get("Nats-Msg-Id")
            if msg_id in self.recent_ids:
                await self._publish_repeat(record, headers)
            else:
                future = await self.js.publish_async(
                    record["subject"], record["data"], headers=headers
                )
                self.in_flight.append((record["seq"], future))
            if msg_id is not None:
                self.recent_ids[msg_id] = time.monotonic()
            self.last, self.last_subject = record["seq"], record["subject"]
            self.messages += 1
        await self._settle(keep=len(records))  # this chunk stays in flight while the next goes

    async def finish(self, last_seq: int) -> None:
        """Settle every acknowledgement, then fill the gap at the end, if any."""
        await self._settle()
        await self.fill_to(last_seq)

    async def _settle(self, keep: int = 0) -> None:
        """Await the acknowledgements in flight but the ``keep`` newest; each must name the
        message's original sequence."""
        due = self.in_flight[: len(self.in_flight) - keep] if keep else self.in_flight
        if not due:
            return
        await asyncio.wait([f for _, f in due], timeout=_ACK_TIMEOUT)
        for seq, future in due:
            if not future.done():
                raise BackupError(
                    f"NATS did not acknowledge message #{seq} within {_ACK_TIMEOUT:.0f}s "
                    "(it refused the message or did not answer)"
                )
            if future.exception() is not None:
                raise BackupError(f"message #{seq} was not stored ({future.exception()})")
            _check_ack(future.result(), seq)
        del self.in_flight[: len(due)]
        cutoff = time.monotonic() - _RECENT_SECONDS
        self.recent_ids = {k: t for k, t in self.recent_ids.items() if t > cutoff}

    async def _publish_repeat(self, record: dict[str, Any], headers: dict[str, str]) -> None:
        """A message id sent moments ago (a letter filed twice, long apart, in the original):
        publish it alone, again while the server still holds the id in its short window."""
        await self._settle()
        for _ in range(100):
            ack = await self.js.publish(record["subject"], record["data"], headers=headers)
            if not ack.duplicate:
                _check_ack(ack, record["seq"])
                return
            await asyncio.sleep(0.02)
        raise BackupError(f"message #{record['seq']}: NATS kept dropping it as a duplicate")

    async def fill_to(self, seq: int, subject: str | None = None) -> None:
        """Fill the sequences up to ``seq`` with fillers deleted at once (purged messages)."""
        while self.last < seq:
            ack = await self.js.publish(
                subject or self.last_subject or self._any_subject(),
                b"",
                headers={_FILLER_HEADER: "1", "Nats-Expected-Last-Sequence": str(self.last)},
            )
            await self.js.delete_msg(self.saved.name, ack.seq)
            self.last = ack.seq
            self.fillers += 1

    def _any_subject(self) -> str:
        subjects = self.saved.config.get("subjects") or [self.saved.name]
        return str(subjects[0]).replace(">", "filler").replace("*", "filler")


def _check_ack(ack: Any, seq: int) -> None:
    """The message must be stored, once, on its original sequence."""
    if ack.duplicate or ack.seq != seq:
        raise BackupError(f"message #{seq} was stored as #{ack.seq} (duplicate: {ack.duplicate})")


def _restored_headers(stored: dict[str, str]) -> dict[str, str]:
    """The headers worth restoring: the envelope and our own, plus ``Nats-Msg-Id``.

    Server control headers (``Nats-Expected-*``, ``Nats-Batch-*``, ``Nats-TTL``,
    ``Nats-Rollup``, schedules) described how the message was first written; sent again
    they would make the server check or act on them now.
    """
    return {k: v for k, v in stored.items() if not k.startswith("Nats-") or k in _KEPT_NATS_HEADERS}


def _server_version(nc: Client) -> str:
    """The server's version as it states it, e.g. ``2.15.1``."""
    v = nc.connected_server_version
    return f"{v.major}.{v.minor}.{v.patch}{'-' + str(v.prerelease) if v.prerelease else ''}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
