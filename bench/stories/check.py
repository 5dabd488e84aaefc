"""Check the story folders: article format/length, answer substrings, paraphrase overlap, out-of-scope probes."""
import json, re, sys, pathlib, collections

ROOT = pathlib.Path(__file__).parent
STOP = set("""a an the of to in on at for by with from and or but is are was were be been being do does did
done what whats what's when where who whom whose which why how much many u r rn it its it's this that these those
there their they them he she his her i me my we our you your about after before as into up down out over under
than then so if not no any all some can could would should will just get got did does say said tell new one
per like still""".split())

def load(story):
    arts = {}
    for f in sorted((story / "knowledge").glob("*.md")):
        txt = f.read_text()
        m = re.match(r"^---\ntitle: (.+)\noutlet: (.+)\nurl: (https://[a-z0-9-]+\.example/[a-z0-9-]+)\npublished: (\d{4}-\d\d-\d\d)\n---\n\n(.*)$", txt, re.S)
        assert m, f"bad front matter: {f}"
        body = m.group(5).strip()
        paras = [p for p in body.split("\n\n") if p.strip()]
        words = len(body.split())
        arts[m.group(2)] = body
        ok = 5 <= len(paras) <= 9 and 350 <= words <= 700
        print(f"  {f.name}: {len(paras)} paras, {words} words {'OK' if ok else 'OUT OF RANGE'}")
    return arts

def toks(s):
    return {w for w in re.findall(r"[a-z0-9][a-z0-9'\-\.,$]*[a-z0-9]|[a-z0-9]", s.lower()) if w not in STOP}

def sentences(body):
    return re.split(r'(?<!Dr\.)(?<!Capt\.)(?:(?<=[.!?])|(?<=[.!?]"))\s+(?=["A-Z])', body.replace("\n", " "))

def check(story, probes):
    print(f"== {story.name}")
    arts = load(story)
    problems = 0
    if len(arts) != 4:
        print("  ! need 4 distinct outlets"); problems += 1
    qs = [json.loads(l) for l in (story / "questions.jsonl").read_text().splitlines() if l.strip()]
    ids = [q["id"] for q in qs]
    if len(set(ids)) != len(ids):
        print("  ! duplicate ids"); problems += 1
    counts = collections.Counter(q["type"] for q in qs)
    low = {o: b.lower() for o, b in arts.items()}
    for q in qs:
        if q["type"] == "out_of_scope":
            if q["answers"] or q["outlets"]:
                print("  ! oos has answers", q["id"]); problems += 1
            if q["id"] not in probes:
                print("  ! no probes for", q["id"]); problems += 1
            for p in probes.get(q["id"], []):
                hits = [o for o, b in low.items() if p.lower() in b]
                if hits:
                    print(f"  ! {q['id']} probe {p!r} found in {hits}"); problems += 1
            continue
        for o in q["outlets"]:
            if o not in arts:
                print("  ! unknown outlet", q["id"], o); problems += 1
        if not (1 <= len(q["answers"]) <= 4):
            print("  ! answer count", q["id"]); problems += 1
        for a in q["answers"]:
            if not any(a.lower() in low.get(o, "") for o in q["outlets"]):
                print(f"  ! {q['id']} answer {a!r} not in listed outlets"); problems += 1
        for o in q["outlets"]:
            if o in low and not any(a.lower() in low[o] for a in q["answers"]):
                print(f"  ! {q['id']} outlet {o} has none of the answers"); problems += 1
        extra = [o for o in arts if o not in q["outlets"] and any(a.lower() in low[o] for a in q["answers"])]
        if extra:
            print(f"  ? {q['id']} answer also appears in unlisted {extra}")
        if q["type"] in ("multi_outlet", "conflict") and len(q["outlets"]) < 2:
            print("  ! needs 2+ outlets", q["id"]); problems += 1
        if q["type"] == "paraphrase":
            qt = toks(q["question"])
            for o in q["outlets"]:
                for s in sentences(arts[o]):
                    if any(a.lower() in s.lower() for a in q["answers"]):
                        st = toks(s)
                        shared = (qt & st) | {w for w in qt for t in st if len(w) > 4 and len(t) > 4 and w[:5] == t[:5]}
                        if shared:
                            print(f"  ! {q['id']} shares {shared} with {o}: {s[:80]}"); problems += 1
    print("  counts:", dict(counts), "total", len(qs))
    want = dict(factoid=14, paraphrase=8, quote=4, conflict=3, multi_outlet=4, out_of_scope=12)
    if dict(counts) != want or len(qs) != 45:
        print("  ! type counts differ from", want); problems += 1
    print("  CHECK:", "PASS" if problems == 0 else f"{problems} problem(s)")
    return problems

if __name__ == "__main__":
    probes = json.loads((ROOT / "oos_probes.json").read_text())
    total = 0
    for d in sorted(p for p in ROOT.iterdir() if (p / "questions.jsonl").exists()):
        total += check(d, probes)
    sys.exit(1 if total else 0)
