"""The dev-set ratchet: runs ../shared/eval/score.py on the CLI exactly as the graders do.

Raise the floors as the method improves; never lower them. (They were lowered once, when the answer
path stopped being fitted to these very questions: its 0.97 was a tuned figure, not a measurement. The
floors are now what the fitted model scores here; held-out sets are the measurement, see README. The
in-scope floor went from 0.67 to 0.61 a second time, when off-topic questions joined the fit: on these
questions held out, in-scope stayed 0.581 and abstain went from 0.25 to 0.875; see docs/answers.md.
It reads 0.613–0.645 from refit to refit as the fitted threshold moves within a flat objective
(0.25–0.31), with the held-out figures the same; the floor stays at the lower end. Raised to 0.64
with the question adapter: 0.645 fitted on, 0.613 held out, from 0.581.)
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import PROJECT

EVAL = PROJECT.parent / "shared" / "eval"
IN_SCOPE_FLOOR = 0.64
ABSTAIN_FLOOR = 0.875
# a plain clone has no ../shared: skip, and say so (pytest -rs prints the reason), rather than fail
needs_eval = pytest.mark.skipif(not all((EVAL / name).is_file() for name in ("score.py", "dev_qa.jsonl")),
                                reason=f"needs score.py and dev_qa.jsonl in {EVAL} (../shared is not in a plain clone)")


@needs_eval
def test_dev_set_meets_the_ratchet():
    result = subprocess.run(
        [sys.executable, str(EVAL / "score.py"), "--project", str(PROJECT), "--python", sys.executable,
         "--qa", str(EVAL / "dev_qa.jsonl"), "--knowledge", str(PROJECT / "knowledge"), "--verbose"],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    match = re.match(r"score: ([\d.]+) in-scope, ([\d.]+) abstain", last)
    assert match, result.stdout
    in_scope, abstain = float(match.group(1)), float(match.group(2))
    assert in_scope >= IN_SCOPE_FLOOR and abstain >= ABSTAIN_FLOOR, result.stdout


@needs_eval
def test_sparse_index_gives_the_same_answers_as_rank_bm25_on_the_dev_questions():
    import json

    from bot.core.assistant import Assistant
    from bot.core.search import RankBM25Index, SparseBM25Index

    questions = [json.loads(line)["question"] for line in (EVAL / "dev_qa.jsonl").read_text().splitlines() if line]
    fast = Assistant.from_directory(PROJECT / "knowledge", SparseBM25Index)
    reference = Assistant.from_directory(PROJECT / "knowledge", RankBM25Index)
    for question in questions:
        assert fast.ask(question) == reference.ask(question), question
