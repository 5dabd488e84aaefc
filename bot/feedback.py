"""👍/👎 on answers, in SQLite: each posted answer, each vote, and the report an admin reads.

One connection per process, guarded by a lock (the adapters run in one event loop, feeds and
reloads in threads); WAL mode and a busy timeout let a `report` read while the bot writes. A broken
or locked database is logged and never stops answering: the store then does nothing.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import uuid
from pathlib import Path

log = logging.getLogger(__name__)

# Each entry migrates the schema one version up; the database's user_version says how far it is.
MIGRATIONS = [
    """CREATE TABLE answers (id TEXT PRIMARY KEY, at REAL NOT NULL, platform TEXT NOT NULL, user TEXT NOT NULL,
                             conversation TEXT NOT NULL, abstained INTEGER NOT NULL, outlets TEXT NOT NULL,
                             question TEXT);
       CREATE TABLE votes (answer TEXT NOT NULL REFERENCES answers(id), user TEXT NOT NULL, vote INTEGER NOT NULL,
                           at REAL NOT NULL, PRIMARY KEY (answer, user));
       CREATE INDEX answers_at ON answers(at);""",
]
BUSY_MS = 2000  # how long a write waits for a lock held by a `report` reading the file


class FeedbackStore:
    def __init__(self, path: Path | str, keep_questions: bool = False):
        self.path = Path(path)
        self.keep_questions = keep_questions
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        self._broken = False

    def _connection(self) -> sqlite3.Connection | None:
        if self._db is None and not self._broken:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, check_same_thread=False,
                                     isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")  # WAL stays consistent; a power cut may lose the last votes
                version = db.execute("PRAGMA user_version").fetchone()[0]
                for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                    db.executescript(f"BEGIN; {script}; PRAGMA user_version={number}; COMMIT;")
                self._db = db
            except (sqlite3.Error, OSError) as exc:
                self._broken = True
                log.error("feedback: cannot use %s (%s); answering goes on without storing feedback", self.path, exc)
        return self._db

    def _write(self, sql: str, values: tuple) -> int:
        """Rows the statement changed; 0 when the store is unusable or the write failed (logged)."""
        with self._lock:
            db = self._connection()
            if db is None:
                return 0
            try:
                return db.execute(sql, values).rowcount
            except sqlite3.Error as exc:
                log.error("feedback: could not write to %s (%s)", self.path, exc)
                return 0

    def record_answer(self, *, platform: str, user: str, conversation: str, abstained: bool, outlets: list[str],
                      question: str) -> str:
        """Store a posted answer; its id goes into the answer's buttons."""
        answer_id = uuid.uuid4().hex[:16]
        self._write("INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (answer_id, time.time(), platform, user, conversation, int(abstained), json.dumps(outlets),
                     question if self.keep_questions else None))
        return answer_id

    def record_vote(self, answer_id: str, user: str, up: bool) -> bool:
        """One vote per user per answer: a second click replaces the first. False if not stored
        (an unknown answer, or the store is unusable)."""
        return self._write("INSERT INTO votes SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM answers WHERE id = ?) "
                           "ON CONFLICT(answer, user) DO UPDATE SET vote = excluded.vote, at = excluded.at",
                           (answer_id, user, 1 if up else -1, time.time(), answer_id)) > 0

    def report(self, days: int = 30, worst: int = 5, gaps: int = 10) -> dict:
        """Answers and abstentions per day, the helpful rate, the worst-rated answers and the
        questions most often abstained on (when question text is kept)."""
        since = time.time() - days * 86_400
        with self._lock:
            db = self._connection()
            if db is None:
                return {"error": f"cannot read {self.path}"}
            rows = db.execute("SELECT date(at, 'unixepoch'), COUNT(*), SUM(abstained) FROM answers WHERE at >= ? "
                              "GROUP BY 1 ORDER BY 1", (since,)).fetchall()
            up, down = db.execute("SELECT COALESCE(SUM(vote > 0), 0), COALESCE(SUM(vote < 0), 0) FROM votes "
                                  "JOIN answers ON answers.id = votes.answer WHERE answers.at >= ?",
                                  (since,)).fetchone()
            bad = db.execute("SELECT answers.id, platform, abstained, outlets, question, SUM(vote > 0), SUM(vote < 0) "
                             "FROM votes JOIN answers ON answers.id = votes.answer WHERE answers.at >= ? "
                             "GROUP BY answers.id HAVING SUM(vote) < 0 ORDER BY SUM(vote), answers.at DESC LIMIT ?",
                             (since, worst)).fetchall()
            missing = db.execute("SELECT question, COUNT(*) FROM answers WHERE at >= ? AND abstained AND question "
                                 "IS NOT NULL GROUP BY lower(question) ORDER BY 2 DESC, 1 LIMIT ?",
                                 (since, gaps)).fetchall()
        answers = sum(r[1] for r in rows)
        return {"days": days, "answers": answers, "abstained": int(sum(r[2] or 0 for r in rows)),
                "votes": {"up": int(up), "down": int(down)},
                "helpful_rate": round(up / (up + down), 3) if up + down else None,
                "per_day": [{"day": d, "answers": n, "abstained": int(a or 0)} for d, n, a in rows],
                "worst_rated": [{"id": i, "platform": p, "abstained": bool(a), "outlets": json.loads(o),
                                 "question": q, "up": int(u), "down": int(dn)} for i, p, a, o, q, u, dn in bad],
                "coverage_gaps": [{"question": q, "times": n} for q, n in missing]}

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


def report_text(report: dict) -> str:
    if "error" in report:
        return f"error: {report['error']}"
    votes = report["votes"]
    rate = f"{report['helpful_rate']:.0%} helpful" if report["helpful_rate"] is not None else "no votes yet"
    lines = [f"Last {report['days']} days: {report['answers']} answers, {report['abstained']} abstentions; "
             f"👍 {votes['up']} / 👎 {votes['down']} ({rate})."]
    if report["per_day"]:
        lines.append("Per day: " + ", ".join(f"{d['day']} {d['answers']} ({d['abstained']} abstained)"
                                               for d in report["per_day"]))
    if report["worst_rated"]:
        lines.append("Worst rated:")
        for r in report["worst_rated"]:
            asked = f"“{r['question']}” " if r["question"] else ""
            cited = ", ".join(r["outlets"]) or "nothing cited"
            lines.append(f"  {asked}({r['platform']}; {cited}): 👍 {r['up']} 👎 {r['down']}")
    if report["coverage_gaps"]:
        lines.append("Asked but not in the coverage (coverage gaps):")
        lines += [f"  {g['times']}× “{g['question']}”" for g in report["coverage_gaps"]]
    elif report["abstained"]:
        lines.append("(Set LOG_QUESTIONS=true to see which questions the coverage does not answer.)")
    return "\n".join(lines)
