"""``export`` as a library call: what it writes, in the current result schema."""

from __future__ import annotations

import json
import shutil

import pytest

from balance_trainer.errors import UsageError
from balance_trainer.export import export_person
from balance_trainer.recording import read_recording
from balance_trainer.results import SCHEMA_VERSION
from balance_trainer.store import Store


@pytest.fixture
def old_store(tmp_path):
    shutil.copy("tests/data/results-617c5fa.sqlite", tmp_path / "balance-trainer.db")
    with Store.open(tmp_path) as s:
        yield s


def test_exporting_an_old_database_writes_its_results_in_the_current_schema(old_store, tmp_path):
    seen = []
    done = export_person(old_store, "p01", tmp_path / "out", progress=lambda i, n: seen.append(i))
    assert done.results == ("results.json",) and len(done.recordings) == 4 == len(seen)
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    results = [t["result"] for s in doc["sessions"] for t in s["trials"]]
    assert {r["schema"] for r in results} == {SCHEMA_VERSION}
    assert [r["test"] for r in results][0] == "single-leg-stance"
    rec = read_recording(tmp_path / "out" / done.recordings[0])
    assert rec.meta["person"] == "p01" and rec.t_s.size == 2688


def test_exporting_twice_into_one_directory_is_refused(old_store, tmp_path):
    export_person(old_store, "p01", tmp_path / "out", fmt="csv", frames=False)
    with pytest.raises(UsageError, match="already exists"):
        export_person(old_store, "p01", tmp_path / "out", fmt="csv", frames=False)
    with pytest.raises(UsageError, match="--format 'xml'"):
        export_person(old_store, "p01", tmp_path / "other", fmt="xml")
