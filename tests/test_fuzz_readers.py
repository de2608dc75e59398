"""Hypothesis fuzzing of every reader: any bytes in, a report or a clean InputError out, within a time bound.

A short run here (bounded examples); ``benchmarks/fuzz_readers.py`` runs the same targets for longer and
prints the counts. Each target mutates a real file of its kind (so the fuzzer gets past the first byte)
or takes raw bytes.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("fuzz_readers", ROOT / "benchmarks" / "fuzz_readers.py")
assert spec and spec.loader
fuzz = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = fuzz
spec.loader.exec_module(fuzz)


@pytest.mark.parametrize("target", sorted(fuzz.TARGETS))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_any_bytes_give_a_report_or_a_clean_error(target: str, data: st.DataObject,
                                                   tmp_path_factory: pytest.TempPathFactory) -> None:
    tmp = tmp_path_factory.mktemp("fuzz")
    payload = data.draw(fuzz.payloads(target), label="payload")
    outcome, seconds = fuzz.run_target(target, payload, tmp)
    assert outcome in ("report", "input-error"), outcome
    assert seconds < fuzz.TIME_BOUND, f"{target} took {seconds:.1f}s"
