"""Durability, as the README promises ("closing the browser or restarting the server loses nothing"):
what the crash test cannot show (it kills a process, not the machine) is that a commit reaches the disk.
On SQLite that takes write-ahead logging with synchronous=FULL on every connection the store uses; a
report file is synced and its folder too before the write counts as done."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from candidacy import CriteriaSet
from candidacy.files import write_atomic
from candidacy.store import CaseStore


def test_every_store_connection_commits_to_disk(tmp_path: Path, itb: CriteriaSet) -> None:
    store = CaseStore(f"sqlite:///{tmp_path / 'cases.db'}", {itb.id: itb})
    try:
        for _ in range(3):  # more than one pooled connection, each set up the same way
            with store.engine.connect() as conn:
                assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL: fsync at every commit
                assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        store.close()


def test_an_atomic_write_syncs_the_file_and_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def spy(fd: int) -> None:
        synced.append("folder" if os.path.isdir(f"/proc/self/fd/{fd}") else "file")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", spy)
    write_atomic(tmp_path / "record.pdf", b"%PDF")
    assert synced == ["file", "folder"]
    assert (tmp_path / "record.pdf").read_bytes() == b"%PDF"
