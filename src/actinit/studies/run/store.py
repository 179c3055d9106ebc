"""The SQLite store: every run's configuration, final metrics, history and timing.

One row per (configuration key, seed), written once the run ends, in its own
transaction: a study killed half-way keeps every finished run, and a restart runs
only what is missing. The primary key means a run is never counted twice, even when
two studies write the same database at once (WAL mode and a generous busy timeout
let them take turns); a failed run is kept with its reason until a new attempt
replaces it. The file carries actinit's mark and schema version in its header, and
a database that is not actinit's is refused untouched.
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .packing import DamagedBlobError, encode_history, pack, unpack

DEFAULT_DB = Path("actinit-results.sqlite")
#: Seconds SQLite waits for a lock before refusing, and a new Store in all for a
#: database another program holds locked.
BUSY_TIMEOUT = OPEN_PATIENCE = 60

#: Written in the database header (``PRAGMA application_id``): "acti". A file without
#: it is used only if it is empty or an actinit database from before it was written.
APPLICATION_ID = 0x61637469
#: ``PRAGMA user_version``: the layout of the tables below.
SCHEMA_VERSION = 1
TABLES = {"runs", "studies", "recordings", "adaptive_looks", "claims"}
#: The index that holds every number a summary reads (see the schema).
FIGURES_INDEX = "runs_figures"

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    config_key TEXT NOT NULL,
    seed INTEGER NOT NULL,
    study TEXT NOT NULL,
    config TEXT NOT NULL,
    status TEXT NOT NULL,              -- 'ok' or 'diverged' or 'failed'
    train_accuracy REAL,
    test_accuracy REAL,
    train_loss REAL,
    test_loss REAL,
    epochs_run INTEGER,
    epochs_to_target INTEGER,
    diverged_epoch INTEGER,
    seconds REAL,
    history BLOB,
    error TEXT,
    finished_at REAL NOT NULL,
    PRIMARY KEY (config_key, seed)
);
CREATE TABLE IF NOT EXISTS studies (
    name TEXT PRIMARY KEY,
    document TEXT NOT NULL,           -- the study file, as actinit writes it
    saved_at REAL NOT NULL,
    source TEXT                       -- where the study's file was (None: built-in)
);
-- Runs a process has taken to do: a second `actinit run` on the same database leaves
-- them to it (it did all the work twice). A claim of a process that is gone is void.
CREATE TABLE IF NOT EXISTS claims (
    config_key TEXT NOT NULL,
    seed INTEGER NOT NULL,
    owner TEXT NOT NULL,               -- host:pid of the process that runs it
    claimed_at REAL NOT NULL,
    PRIMARY KEY (config_key, seed)
);
-- Configurations whose seeds were added in adaptive rounds, and how many looks at the
-- data those rounds planned: every later answer about them spends alpha over as many.
CREATE TABLE IF NOT EXISTS adaptive_looks (
    config_key TEXT PRIMARY KEY,
    looks INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS recordings (
    config_key TEXT NOT NULL,
    seed INTEGER NOT NULL,
    recording BLOB NOT NULL,
    PRIMARY KEY (config_key, seed)
);
-- Every number a summary reads, so it reads this narrow index, not the runs' rows
-- with their configurations and histories (a third less time for 100,000 runs).
CREATE INDEX IF NOT EXISTS runs_figures ON runs (
    config_key, seed, status, train_accuracy, test_accuracy, train_loss, test_loss,
    epochs_to_target, seconds
);
"""

#: What a run's ``status`` says: it finished, its loss left the finite numbers, or it
#: raised an error.
STATUSES = ("ok", "diverged", "failed")

COLUMNS = (
    "config_key",
    "seed",
    "study",
    "config",
    "status",
    "train_accuracy",
    "test_accuracy",
    "train_loss",
    "test_loss",
    "epochs_run",
    "epochs_to_target",
    "diverged_epoch",
    "seconds",
    "history",
    "error",
    "finished_at",
)

REPLACE_FAILED = (
    ", ".join(f"{column} = excluded.{column}" for column in COLUMNS[2:])
    + " WHERE runs.status = 'failed'"
)


class StoreError(RuntimeError):
    """A results database that cannot be opened, or holds what actinit did not write;
    nothing in it was changed."""


def _unpack(blob: bytes | None, keys=None) -> dict[str, np.ndarray]:
    """:func:`~.packing.unpack`, a damaged value refused as a :class:`StoreError`."""
    try:
        return unpack(blob, keys)
    except DamagedBlobError as error:
        raise StoreError(str(error)) from None


def _refuse_unknown_status(path: Path, keys: Sequence[str], table: np.ndarray) -> None:
    """A run whose status is none of :data:`STATUSES` (read as code 3) is refused,
    naming it: a database changed by hand would otherwise count it as learned."""
    unknown = np.flatnonzero(table[:, 2] == len(STATUSES))
    if len(unknown):
        row = table[unknown[0]]
        raise StoreError(
            f"{path} holds a run whose status is none of {', '.join(STATUSES)} "
            f"(configuration {keys[int(row[0])]}, seed {int(row[1])}): was the database "
            "changed by hand? Run that configuration again into a fresh database"
        )


class Store:
    """``read_only``: read an existing database as it is (``show``, ``export``, ``rank``
    ...), also from a read-only folder or file system; nothing is written to it."""

    def __init__(self, path: str | Path = DEFAULT_DB, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if self.path.is_dir():
            raise StoreError(
                f"{self.path} is a folder; give a database file, e.g. {self.path / DEFAULT_DB}"
            )
        self._check_header()
        if read_only:
            self.connection = self._connect_read_only()
        else:
            try:
                if self.path.parent and not self.path.parent.exists():
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                self.connection = sqlite3.connect(
                    self.path, timeout=BUSY_TIMEOUT, isolation_level=None
                )
            except (OSError, sqlite3.OperationalError) as error:
                raise StoreError(self._unwritable(error)) from None
        try:
            self.connection.row_factory = sqlite3.Row
            self.connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
            if read_only:
                self._check_identity()
                self._require_runs()
            else:
                self._open()
        except sqlite3.DatabaseError as error:
            self.connection.close()
            if _locked(error):
                raise StoreError(
                    f"{self.path} stayed locked by another program for {OPEN_PATIENCE} s; "
                    "nothing was written: try again when it is done, or use another --db"
                ) from None
            if _unwritable(error):
                raise StoreError(self._unwritable(error)) from None
            if _disk_full(error):
                raise StoreError(
                    f"no space left on the disk that holds {self.path} ({error}); nothing "
                    "was written and the runs stored are kept: free some space, or give "
                    "--db a file on another disk"
                ) from None
            raise StoreError(
                f"{self.path} is not an actinit results database ({error}); it was left as it "
                "is: choose another file with --db"
            ) from None
        except StoreError:
            self.connection.close()
            raise

    def _check_header(self) -> None:
        """Refuse a newer actinit's database from its file header alone, before SQLite
        opens it (opening a WAL database makes files beside it)."""
        try:
            with open(self.path, "rb") as handle:
                header = handle.read(100)
        except OSError:
            return  # not there yet (run makes it), or SQLite will say why
        if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
            return
        version = int.from_bytes(header[60:64], "big")
        application = int.from_bytes(header[68:72], "big")
        if application == APPLICATION_ID and version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer actinit (schema {version}, this one "
                f"reads up to {SCHEMA_VERSION}); it was left as it is: upgrade actinit to read "
                "it, or choose another file with --db"
            )

    def _connect_read_only(self) -> sqlite3.Connection:
        """The database opened read-only; on a read-only file system, where SQLite
        cannot make the files a WAL database reads through, as immutable."""
        if not self.path.is_file():
            raise StoreError(f"no database at {self.path}")
        uri = self.path.resolve().as_uri()
        for mode in ("mode=ro", "immutable=1"):
            try:
                connection = sqlite3.connect(
                    f"{uri}?{mode}", uri=True, timeout=BUSY_TIMEOUT, isolation_level=None
                )
                connection.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
                return connection
            except sqlite3.OperationalError as error:
                last = error
            except sqlite3.DatabaseError as error:  # some other file
                raise StoreError(
                    f"{self.path} is not an actinit results database ({error}); it was left "
                    "as it is: choose another file with --db"
                ) from None
        raise StoreError(f"{self.path} cannot be read: {last}") from None

    def _require_runs(self) -> None:
        """A database read as it is must hold actinit's tables: an empty file (0 bytes,
        or SQLite's with no table) holds no results, said in one line."""
        found = self.connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'runs'"
        ).fetchone()
        if found is None:
            raise StoreError(
                f"{self.path} holds no results (an empty database): run a study into it first "
                "(actinit run STUDY --db ...), or choose another file with --db"
            )

    def _unwritable(self, error: Exception) -> str:
        """Why ``run`` cannot write here, in one line."""
        reason = getattr(error, "strerror", None) or str(error)
        return (
            f"cannot write the results database {self.path} ({reason}): its folder or "
            "file system is read-only; give --db a writable file (show, export and rank "
            "read a database where it is)"
        )

    def _open(self) -> None:
        """Check the file is actinit's and set it up. Switching to WAL mode and creating
        the tables may be refused at once (SQLite does not always wait for its busy
        timeout there) while another study opens the same new file: tried again."""
        deadline = time.monotonic() + OPEN_PATIENCE
        for attempt in itertools.count():
            try:
                self._check_identity()
                self.connection.execute("PRAGMA journal_mode = WAL")
                self.connection.execute("PRAGMA synchronous = NORMAL")
                # a log grown while the disk was full is folded back now there is room
                self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self.connection.executescript(SCHEMA)
                studies = {row[1] for row in self.connection.execute("PRAGMA table_info(studies)")}
                if "source" not in studies:  # a database made before the column was
                    try:
                        self.connection.execute("ALTER TABLE studies ADD COLUMN source TEXT")
                    except sqlite3.OperationalError as error:
                        if "duplicate column" not in str(error):  # another process added it
                            raise
                self.connection.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                self.connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                return
            except sqlite3.OperationalError as error:
                if not _locked(error) or time.monotonic() > deadline:
                    raise
                try:  # a rollback can itself meet the other writer's lock
                    if self.connection.in_transaction:
                        self.connection.rollback()
                except sqlite3.OperationalError:
                    pass
                time.sleep(min(1.0, 0.05 * 2**attempt))

    def _check_identity(self) -> None:
        """Refuse, before writing anything, a database that is not actinit's."""
        ask = self.connection.execute
        application, version = (
            ask("PRAGMA application_id").fetchone()[0],
            ask("PRAGMA user_version").fetchone()[0],
        )
        if application == APPLICATION_ID:
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} was written by a newer actinit (schema {version}, this one "
                    f"reads up to {SCHEMA_VERSION}); it was left as it is: upgrade actinit to read "
                    "it, or choose another file with --db"
                )
            return
        tables = {row[0] for row in ask("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            return
        columns = [row[1] for row in ask("PRAGMA table_info(runs)")]
        if tables <= TABLES and tuple(columns) == COLUMNS:
            return  # written by actinit before the header carried its mark
        raise StoreError(
            f"{self.path} is an SQLite database but not actinit's (it holds tables: "
            f"{', '.join(sorted(tables))}); it was left as it is: choose another file with --db"
        )

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def done(self, keys: Iterable[str]) -> set[tuple[str, int]]:
        """(config key, seed) pairs already stored for these configuration keys, apart
        from failed runs: a failure is not a result, the next run tries again."""
        rows = self._where_key_in("SELECT config_key, seed, status FROM runs", keys)
        return {(row[0], row[1]) for row in rows if row[2] != "failed"}

    def _where_key_in(self, query: str, keys: Iterable[str], order: str = "") -> list[sqlite3.Row]:
        """``query`` restricted to these configuration keys, asked in chunks (SQLite
        limits the number of parameters of one statement)."""
        keys, rows = list(keys), []
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows.extend(
                self.connection.execute(f"{query} WHERE config_key IN ({marks}){order}", chunk)
            )
        return rows

    def add(self, result: dict[str, Any]) -> bool:
        """Store one finished run; False if that (config, seed) was already there.
        A stored failure is replaced by the new attempt; a stored result never is."""
        for attempt in range(5):
            try:
                return self._insert(result)
            except sqlite3.OperationalError as error:
                if "full" in str(error).lower():
                    raise StoreError(self._disk_full()) from None
                if not _locked(error) or attempt == 4:
                    raise
                time.sleep(0.5 * (attempt + 1))
        return False

    def _disk_full(self) -> str:
        """The disk is full: shrink the write-ahead log if SQLite can (it grows while
        writes fail) and say so in one line; every run stored before is kept."""
        try:
            self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass
        return (
            f"the disk holding {self.path} is full: every run finished before is stored; "
            "free some space and run again (only what is missing runs)"
        )

    def add_many(self, results: Iterable[dict[str, Any]]) -> int:
        """Store many finished runs in one transaction (an import, a test's synthetic
        study); as :meth:`add` for each. Returns how many were new."""
        added = 0
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            for result in results:
                added += self._insert(result)
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")
        return added

    def _insert(self, result: dict[str, Any]) -> bool:
        row = dict(result)
        row["config"] = json.dumps(row["config"], sort_keys=True)
        row["history"] = encode_history(row.get("history") or {})
        row.setdefault("finished_at", time.time())
        values = [row.get(column) for column in COLUMNS]
        marks = ",".join("?" * len(COLUMNS))
        cursor = self.connection.execute(
            f"INSERT INTO runs ({','.join(COLUMNS)}) VALUES ({marks}) "
            f"ON CONFLICT (config_key, seed) DO UPDATE SET {REPLACE_FAILED}",
            values,
        )
        return cursor.rowcount == 1

    def runs(
        self,
        keys: Iterable[str] | None = None,
        with_history: bool = False,
        decode_config: bool = True,
        history_keys: Iterable[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Stored runs (of these configuration keys), ordered by key and seed; each
        run's ``config`` as a dict, or as its JSON text with ``decode_config=False``
        (a summary of many runs reads only their figures); ``history_keys``: only
        these metrics of each history."""
        columns = [c for c in COLUMNS if with_history or c != "history"]
        query = f"SELECT {','.join(columns)} FROM runs"
        if keys is None:
            rows = list(self.connection.execute(query + " ORDER BY config_key, seed"))
        else:
            rows = self._where_key_in(query, keys, " ORDER BY config_key, seed")
        results = []
        for row in rows:
            record = dict(row)
            if decode_config:
                record["config"] = json.loads(record["config"])
            if with_history:
                record["history"] = _unpack(record["history"], history_keys)
            results.append(record)
        return results

    def histories(
        self, keys: Iterable[str], history_keys: Iterable[str] | None = None
    ) -> Iterator[tuple[str, dict[str, np.ndarray]]]:
        """(configuration key, history) of each stored run of these keys, ordered by
        key and seed; only the metrics ``history_keys`` of each history. Nothing else
        of a run is read: a study's curves read tens of thousands of them."""
        history_keys = None if history_keys is None else tuple(history_keys)
        for key, blob in self._where_key_in(
            "SELECT config_key, history FROM runs", keys, " ORDER BY config_key, seed"
        ):
            yield key, _unpack(blob, history_keys)

    def run_columns(
        self, keys: Sequence[str], fields: Sequence[str], below_seed: int | None = None
    ) -> tuple[np.ndarray, list[tuple[int, int, str | None]]]:
        """The stored runs of configurations ``keys`` as one float array, a row per run
        in the order of ``keys`` then of seeds: the configuration's index in ``keys``,
        the seed, the status (its index in :data:`STATUSES`), then ``fields`` (numeric
        columns of :data:`COLUMNS`, NaN for NULL); only seeds below ``below_seed`` when
        given. Also (index, seed, error) of each failed run. One query joins the runs
        to the keys (a temporary table), so nothing but numbers crosses into Python."""
        unknown = set(fields) - set(COLUMNS)
        if unknown:
            raise ValueError(f"no such columns: {sorted(unknown)}")
        cursor = self.connection.cursor()
        cursor.row_factory = None
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS wanted (code INTEGER PRIMARY KEY, key TEXT NOT NULL)"
        )
        cursor.execute("SAVEPOINT run_columns")  # one snapshot; the inserts in one go
        cursor.execute("DELETE FROM wanted")
        cursor.executemany("INSERT INTO wanted VALUES (?, ?)", enumerate(keys))
        status = " ".join(f"WHEN '{name}' THEN {i}" for i, name in enumerate(STATUSES))
        joined = "FROM wanted w JOIN runs r ON r.config_key = w.key"
        seeds = "" if below_seed is None else f" AND r.seed < {int(below_seed)}"
        try:
            # code, seed and status in one integer (each value read costs as much as
            # the rest of the read), seeds of 0 to 2^32 - 1 (others are NULL: refused)
            rows = cursor.execute(
                f"SELECT CASE WHEN r.seed BETWEEN 0 AND {2**32 - 1} THEN (w.code << 34) "
                f"| (r.seed << 2) | CASE r.status {status} ELSE 3 END END"
                + "".join(f", r.{name}" for name in fields)
                + f" {joined} WHERE 1{seeds} ORDER BY w.code, r.seed"
            )
            # row by row into the array, no list of 100,000 tuples in between (NULL
            # becomes NaN)
            as_record = np.dtype([("run", np.int64)] + [(name, float) for name in fields])
            try:
                read = np.fromiter(rows, dtype=as_record)
            except TypeError:
                raise StoreError(
                    f"{self.path} holds a run whose seed is not between 0 and 2^32 - 1; "
                    "actinit numbers seeds from 0: was the database changed by hand?"
                ) from None
            table = np.empty((len(read), 3 + len(fields)))
            run = read["run"]
            table[:, 0], table[:, 1], table[:, 2] = run >> 34, (run >> 2) & (2**32 - 1), run & 3
            for k, name in enumerate(fields):
                table[:, 3 + k] = read[name]
            _refuse_unknown_status(self.path, keys, table)
            failed = []
            if (table[:, 2] == STATUSES.index("failed")).any():  # else spare a second pass
                failed = cursor.execute(
                    f"SELECT w.code, r.seed, r.error {joined} WHERE r.status = 'failed'{seeds}"
                    " ORDER BY w.code, r.seed"
                ).fetchall()
        finally:
            cursor.execute("DELETE FROM wanted")
            cursor.execute("RELEASE run_columns")
        return table, failed

    def add_recording(self, config_key: str, seed: int, arrays: dict[str, np.ndarray]) -> None:
        """Keep a run's recording (the arrays of a Recorder) beside its result."""
        self.connection.execute(
            "INSERT OR REPLACE INTO recordings (config_key, seed, recording) VALUES (?, ?, ?)",
            (config_key, seed, pack(arrays)),
        )

    def recording(self, config_key: str, seed: int) -> dict[str, np.ndarray] | None:
        row = self.connection.execute(
            "SELECT recording FROM recordings WHERE config_key = ? AND seed = ?", (config_key, seed)
        ).fetchone()
        return None if row is None else _unpack(row[0])

    def claim(self, wanted: list[tuple[str, int]]) -> tuple[list[tuple[str, int]], int]:
        """Take the (config key, seed) runs of ``wanted`` that no other live process on
        this machine has taken (claims of processes that are gone, or of other
        machines older than :data:`CLAIM_PATIENCE` seconds, are void): (the runs this
        process now holds, how many another holds). One transaction, so two processes
        never take the same run."""
        owner = _owner()
        now = time.time()
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            held = {
                (row[0], row[1]): row[2]
                for row in self._where_key_in(
                    "SELECT config_key, seed, owner, claimed_at FROM claims",
                    {key for key, _ in wanted},
                )
                if _alive(row[2], row[3], now)
            }
            mine = [run for run in wanted if held.get(run, owner) == owner]
            self.connection.executemany(
                "INSERT OR REPLACE INTO claims (config_key, seed, owner, claimed_at) "
                "VALUES (?, ?, ?, ?)",
                [(key, seed, owner, now) for key, seed in mine],
            )
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")
        return mine, len(wanted) - len(mine)

    def release(self, runs: Iterable[tuple[str, int]] | None = None) -> None:
        """Give up this process's claims (of ``runs``, or all of them)."""
        owner = _owner()
        if runs is None:
            self.connection.execute("DELETE FROM claims WHERE owner = ?", (owner,))
        else:
            self.connection.executemany(
                "DELETE FROM claims WHERE config_key = ? AND seed = ? AND owner = ?",
                [(key, seed, owner) for key, seed in runs],
            )

    def record_looks(self, config_keys, looks: int) -> None:
        """Remember that the seeds of ``config_keys`` are added in adaptive rounds that
        look at the data up to ``looks`` times (the most planned is kept)."""
        self.connection.executemany(
            "INSERT INTO adaptive_looks (config_key, looks) VALUES (?, ?) ON CONFLICT"
            "(config_key) DO UPDATE SET looks = max(looks, excluded.looks)",
            [(key, int(looks)) for key in config_keys],
        )
        self.connection.commit()

    def looks(self, config_keys) -> int:
        """The most looks adaptive rounds planned for any of ``config_keys`` (1: their
        seeds were planned in advance)."""
        keys = list(config_keys)
        found = 1
        try:
            for start in range(0, len(keys), 500):
                part = keys[start : start + 500]
                row = self.connection.execute(
                    "SELECT max(looks) FROM adaptive_looks WHERE config_key IN "
                    f"({','.join('?' * len(part))})",
                    part,
                ).fetchone()
                if row and row[0]:
                    found = max(found, int(row[0]))
        except sqlite3.OperationalError:  # a database from before adaptive looks were kept
            return 1
        return found

    def save_study(self, name: str, document: str, source: str | None = None) -> None:
        """Keep the study file of a study run from a file, so ``actinit show NAME``
        finds it later by name. ``source``: the file's absolute path, the study's
        identity here: a second file of the same name (another path, another study) is
        refused rather than silently replacing the first's definition; the same file,
        edited, replaces it."""
        if source is not None:
            row = self.connection.execute(
                "SELECT document, source FROM studies WHERE name = ?", (name,)
            ).fetchone()
            if row is not None and row[1] and row[1] != source and row[0] != document:
                raise StoreError(
                    f"{self.path} already keeps another study named {name!r} (from {row[1]}); "
                    f"its runs would be read as this one's: give the study in {source} a name "
                    'of its own (name = "..."), or use another --db'
                )
        self.connection.execute(
            "INSERT OR REPLACE INTO studies (name, document, saved_at, source) VALUES (?, ?, ?, ?)",
            (name, document, time.time(), source),
        )

    def study_document(self, name: str) -> str | None:
        row = self.connection.execute(
            "SELECT document FROM studies WHERE name = ?", (name,)
        ).fetchone()
        return row[0] if row else None

    def count(self) -> int:
        return self.connection.execute("SELECT COUNT(*) FROM runs").fetchone()[0]

    def configurations_of(self, study: str) -> list[tuple[str, str, int]]:
        """(key, configuration as JSON, stored runs) of each configuration that runs of
        ``study`` stored, whatever its grid is now."""
        return self.connection.execute(
            "SELECT config_key, MIN(config), COUNT(*) FROM runs WHERE study = ? "
            "GROUP BY config_key",
            (study,),
        ).fetchall()


#: A claim from another machine (a shared file system) is void after this many seconds
#: unless renewed: its process cannot be asked whether it still runs.
CLAIM_PATIENCE = 6 * 3600


def _owner() -> str:
    import socket

    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(owner: str, claimed_at: float, now: float) -> bool:
    """Does the process that made a claim still run (on this machine: asked; on
    another: trusted for :data:`CLAIM_PATIENCE` seconds)?"""
    import socket

    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname():
        return now - claimed_at < CLAIM_PATIENCE
    try:
        os.kill(int(pid), 0)
    except (ProcessLookupError, ValueError):
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def _unwritable(error: sqlite3.Error) -> bool:
    """Whether SQLite refused because it cannot write the file or its folder."""
    text = str(error).lower()
    return "readonly" in text or "read-only" in text or "unable to open" in text


def _disk_full(error: sqlite3.Error) -> bool:
    """Whether SQLite refused because the disk (or its quota) is full."""
    text = str(error).lower()
    return "disk is full" in text or "no space" in text or "quota" in text


def _locked(error: sqlite3.Error) -> bool:
    """Whether SQLite refused because another connection holds the database."""
    return "locked" in str(error) or "busy" in str(error)
