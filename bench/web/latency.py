"""Server time per page: REQUESTS sequential requests per page kind over one
keep-alive connection, p50 and p99 in ms (loopback, so this is the server's time
plus a few tens of microseconds). Usage: python3 latency.py HOST PORT REQUESTS"""
import http.client
import json
import random
import sys
import time
import urllib.parse

host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(7)
conn = http.client.HTTPConnection(host, port)

def get(path):
    conn.request("GET", path)
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        raise SystemExit(f"{path}: {r.status}")
    return body

meta = json.loads(get("/api/articles?size=500"))
total, ids = meta["total"], [a["href"] for a in meta["items"]]
for page in rng.sample(range(2, meta["pages"] + 1), min(10, meta["pages"] - 1)):
    ids += [a["href"] for a in json.loads(get(f"/api/articles?size=500&page={page}"))["items"]]
feeds = [f["name"] for f in json.loads(get("/api/feeds"))]
days = sorted({a["published"][:10] for a in meta["items"] if a["published"]})
words = ["中国", "合作", "经济", "russia", "market", "国际会议", "科技 发展", "\"外交 安全\""]
kinds = {
    "home": lambda: f"/?page={rng.randint(1, 50)}",
    "day": lambda: f"/days/{rng.choice(days)}",
    "feed": lambda: f"/feeds/{rng.choice(feeds)}?page={rng.randint(1, 5)}",
    "article": lambda: rng.choice(ids),
    "search": lambda: "/search?q=" + urllib.parse.quote(rng.choice(words)),
}
print(f"vault: {total} articles, {len(feeds)} feeds; {n} requests per page kind")
print("| page | p50 ms | p99 ms | max ms |")
print("|---|---:|---:|---:|")
for kind, make in kinds.items():
    for _ in range(5):
        get(make())
    times = []
    for _ in range(n):
        path = make()
        t = time.perf_counter()
        get(path)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    p = lambda q: times[min(len(times) - 1, int(q * len(times)))]
    print(f"| {kind} | {p(0.50):.2f} | {p(0.99):.2f} | {times[-1]:.2f} |")
