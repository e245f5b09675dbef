#!/usr/bin/python3
"""Sends the hostile inputs of docs/serve-hostile-input.md to a running `lrp serve` on this
machine and prints the table's rows (what was sent, the status, the answer).
    ./lrp serve --port 8181 --idle-timeout 5 &   then   docs/serve-hostile.py 8181
Every connection goes to 127.0.0.1 only and every loop is bounded."""
import http.client, json, socket, sys, threading, time

PORT = int(sys.argv[1])

def post(path, body, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    data = body if isinstance(body, bytes) else body.encode("utf-8")
    c.request("POST", path, body=data, headers=headers or {"Content-Type": "application/json"})
    r = c.getresponse()
    out = (r.status, r.read().decode("utf-8", "replace"), dict(r.getheaders()))
    c.close()
    return out

def raw(req, timeout=20):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=timeout)
    s.sendall(req)
    data = b""
    while True:
        try:
            b = s.recv(65536)
        except socket.timeout:
            break
        if not b:
            break
        data += b
    s.close()
    return data.decode("utf-8", "replace")

def show(body):
    try:
        j = json.loads(body)
        if "error" in j:
            return "`" + j["error"].replace("|", "\\|") + "`"
        if "results" in j:
            return "200 answer: %d result(s), method %s" % (len(j["results"]), j["results"][0]["method"])
    except Exception:
        pass
    return "`" + body[:120].replace("\n", " ").replace("|", "\\|") + "`"

def good():
    s, b, _ = post("/api/explain", '{"text": "still serving", "methods": ["gi"]}')
    return s == 200

rows = []
def row(what, sent, status, answer):
    rows.append("| %s | %s | %s | %s | %s |" % (what, sent, status, answer, "yes" if good() else "**NO**"))

def case(what, sent, body, path="/api/explain"):
    s, b, h = post(path, body)
    extra = (" (Retry-After: %s)" % h["Retry-After"]) if "Retry-After" in h else ""
    row(what, sent, s, show(b) + extra)

texts = lambda n: json.dumps({"texts": ["text number %d" % i for i in range(n)]})
case("over-long text", "`text` of 2,001 characters", json.dumps({"text": "a" * 2001}))
case("over the model's length", "`text` of 1,200 characters = 602 tokens", json.dumps({"text": "a " * 600}))
case("1,000 texts in one request", "`texts`: 1,000 short strings", texts(1000))
case("body over the limit", "2 MiB body", json.dumps({"text": "a" * (2 << 20)}))
case("invalid JSON", "`{\"text\": \"unclosed`", '{"text": "unclosed')
case("not JSON", "`text=hello` (a form)", "text=hello")
case("empty body", "nothing", "")
case("JSON of the wrong shape", "`[\"hello\"]`", '["hello"]')
case("trailing garbage", "`{\"text\": \"hi\"} {}`", '{"text": "hi"} {}')
case("wrong type: text", "`{\"text\": 42}`", '{"text": 42}')
case("wrong type: texts", "`{\"texts\": \"hello\"}`", '{"texts": "hello"}')
case("wrong type inside texts", "`{\"texts\": [\"ok\", {\"a\": 1}]}`", '{"texts": ["ok", {"a": 1}]}')
case("wrong type: methods", "`\"methods\": 3`", '{"text": "hi", "methods": 3}')
case("wrong type: target", "`\"target\": true`", '{"text": "hi", "target": true}')
case("target out of range", "`\"target\": 99999999999`", '{"text": "hi", "target": 99999999999}')
case("unknown model", "`\"model\": \"gpt-5\"`", '{"text": "hi", "model": "gpt-5"}')
case("path traversal in model", "`\"model\": \"../../../../etc/passwd\"`", '{"text": "hi", "model": "../../../../etc/passwd"}')
case("a real path as model", "`\"model\": \"/tmp\"`", '{"text": "hi", "model": "/tmp"}')
case("encoder without a head", "`\"model\": \"minilm\"`", '{"text": "hi", "model": "minilm"}')
case("unknown method", "`\"methods\": [\"shap\"]`", '{"text": "hi", "methods": ["shap"]}')
case("path traversal in method", "`\"methods\": [\"../../etc/passwd\"]`", '{"text": "hi", "methods": ["../../etc/passwd"]}')
case("path traversal in target", "`\"target\": \"../../etc/passwd\"`", '{"text": "hi", "target": "../../etc/passwd"}')
case("path traversal in view", "`\"view\": \"../x\"`", '{"text": "hi", "view": "../x"}')
case("unknown field", "`\"file\": \"/etc/passwd\"`", '{"text": "hi", "file": "/etc/passwd"}')
case("whitespace only", "`\"text\": \" \\n\\t \"`", '{"text": " \\n\\t "}')
case("deep nesting", "`text`: 5,000 nested arrays", '{"text": ' + "[" * 5000 + "]" * 5000 + "}")
case("control characters and NUL", "`\"text\": \"a\\u0000b\\u001bc\"`", '{"text": "a\\u0000b\\u001bc"}')
case("invalid UTF-8", "bytes `{\"text\": \"\\xff\\xfe\"}`", b'{"text": "\xff\xfe ok"}')
case("similar: wrong model", "`{\"a\": \"x\", \"b\": \"y\", \"model\": \"paper-sst2\"}`", '{"a": "x", "b": "y", "model": "paper-sst2"}', "/api/similar")
case("perturbation: several texts", "`{\"texts\": [\"a\", \"b\"]}`", '{"texts": ["a", "b"]}', "/api/perturbation")

for path in ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/api/../../etc/passwd", "/..%2f..%2fetc%2fpasswd"]:
    r = raw(("GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n" % path).encode())
    row("path traversal in the URL", "`GET %s`" % path, r[9:12], show(r.split("\r\n\r\n", 1)[1] if "\r\n\r\n" in r else r))
r = raw(b"GET /api/explain HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
row("wrong HTTP method", "`GET /api/explain`", r[9:12], show(r.split("\r\n\r\n", 1)[1]))
r = raw(b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 20000 + b"\r\nConnection: close\r\n\r\n")
row("header over 8 KiB", "20 KB header", r[9:12], show(r.split("\r\n\r\n", 1)[1] if "\r\n\r\n" in r else r))
r = raw(b"BREW /coffee HTCPCP/1.0\r\n\r\n")
row("malformed request line", "`BREW /coffee HTCPCP/1.0`", r[9:12] or "closed", show(r.split("\r\n\r\n", 1)[1] if "\r\n\r\n" in r else r))

# slow clients: 200 connections that send half a request and then nothing
socks, t0 = [], time.time()
for i in range(200):
    s = socket.create_connection(("127.0.0.1", PORT), timeout=60)
    s.sendall(b"POST /api/explain HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n{\"text\": \"" if i % 2 == 0 else b"GET /health HTTP/1.1\r\nHost: lo")
    socks.append(s)
t1 = time.time(); ok = good(); t2 = time.time()
closed = []
def wait(s):
    st = time.time()
    try:
        while s.recv(4096):
            pass
    except Exception:
        pass
    closed.append(time.time() - st)
ths = [threading.Thread(target=wait, args=(s,)) for s in socks]
[t.start() for t in ths]; [t.join(70) for t in ths]
rows.append("| slow clients holding connections | 200 connections sending half a request (headers or body), then nothing | good request meanwhile: %s in %.2f s; all 200 closed by the server after %.1f-%.1f s of silence (idle timeout 5 s) | no worker taken | %s |"
            % ("200" if ok else "FAILED", t2 - t1, min(closed), max(closed), "yes" if good() else "**NO**"))
for s in socks:
    s.close()

# a body trickled at 1 byte per second
s = socket.create_connection(("127.0.0.1", PORT), timeout=60)
s.sendall(b"POST /api/explain HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n")
st = time.time(); resp = b""
try:
    for i in range(60):
        s.sendall(b" ")
        time.sleep(1)
except Exception:
    pass
try:
    s.settimeout(5); resp = s.recv(4096)
except Exception:
    pass
s.close()
rows.append("| body trickled at 1 byte/s | `Content-Length: 100`, one space per second | %s after %.0f s | `%s` | %s |"
            % (resp[9:12].decode() or "closed", time.time() - st, resp.decode("utf-8", "replace").split("\r\n\r\n", 1)[-1][:80].replace("|", "\\|"), "yes" if good() else "**NO**"))

# a burst larger than workers + queue
results = []
def burst():
    try:
        s, b, h = post("/api/explain", '{"texts": ["%s"], "methods": ["lrp-ah-ln", "gi", "attnlrp"]}' % ("a fine film " * 30))
        results.append(("%d %s" % (s, json.loads(b)["error"].split(":")[0]) if s != 200 else "200", h.get("Retry-After")))
    except Exception as e:
        results.append((type(e).__name__, None))
ths = [threading.Thread(target=burst) for _ in range(150)]
[t.start() for t in ths]; [t.join(300) for t in ths]
from collections import Counter
cnt = Counter(r[0] for r in results)
ra = sorted(set(r[1] for r in results if r[1]))
rows.append("| burst beyond workers + queue | 150 requests at once (2 workers, queue 64) | %s | 503s carry Retry-After: %s | %s |"
            % (", ".join("%s x %d" % (k, v) for k, v in sorted(cnt.items(), key=str)), ", ".join(ra) or "-", "yes" if good() else "**NO**"))

print("| input | sent | status | answer | serving after |")
print("|---|---|---|---|---|")
print("\n".join(rows))
