#!/usr/bin/env bash
# End-to-end test of `fifoctl --alert-webhook` through the real binary: a
# small HTTP server on 127.0.0.1 (Python's http.server) fails the first POST
# with 500 and accepts the rest. A computation with an unmatched sell must
# deliver one Slack-compatible {"text": ...} alert (retried after the 500)
# before fifoctl exits; $FIFO_ALERT_WEBHOOK works the same; a bad URL is
# refused before anything runs. SQLite only: the alert path does not depend
# on the store.
set -uo pipefail

FIFOCTL="$TEST_SRCDIR/$TEST_WORKSPACE/cli/fifoctl"
PYTHON=/usr/bin/python3
WORK=$(mktemp -d "${TEST_TMPDIR:-/tmp}/fifoctl_alert.XXXXXX")
PASSED=0
FAILED=0
ok() { PASSED=$((PASSED + 1)); echo "ok: $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL: $*"; }

cat >"$WORK/server.py" <<'PY'
import http.server, json, sys
log_path, port_path = sys.argv[1], sys.argv[2]
count = 0
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        count += 1
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        with open(log_path, "a") as f:
            f.write(json.dumps({"n": count, "path": self.path,
                                "content_type": self.headers["Content-Type"],
                                "body": body}) + "\n")
        self.send_response(500 if count == 1 else 200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(port_path + ".tmp", "w") as f:
    f.write(str(server.server_port))
import os; os.rename(port_path + ".tmp", port_path)
server.serve_forever()
PY
"$PYTHON" "$WORK/server.py" "$WORK/requests.jsonl" "$WORK/port" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null' EXIT
for _ in $(seq 1 100); do [[ -f "$WORK/port" ]] && break; sleep 0.05; done
PORT=$(cat "$WORK/port")
URL="http://127.0.0.1:$PORT/services/T0/B0/token"

cat >"$WORK/trades.csv" <<CSV
order_id,symbol,side,size,price,order_time,total_fees_usd,source
B1,BTC-USD,buy,1,100,2025-11-20T10:00:00Z,0,manual
S1,BTC-USD,sell,1.5,120,2025-11-20T11:00:00Z,0,manual
CSV
DB="sqlite:$WORK/fifo.db"
"$FIFOCTL" --db "$DB" -q import-trades "$WORK/trades.csv" >/dev/null 2>&1 || fail "import"

if "$FIFOCTL" --db "$DB" -q --alert-webhook "$URL" compute --all-symbols >"$WORK/out" 2>"$WORK/err"; then
  ok "compute with --alert-webhook"
else fail "compute: $(cat "$WORK/err")"; fi
# fifoctl flushed before exiting: both attempts are already recorded.
"$PYTHON" - "$WORK/requests.jsonl" <<'PY' && ok "alert delivered after a retry" || fail "alert requests: $(cat "$WORK/requests.jsonl")"
import json, sys
reqs = [json.loads(line) for line in open(sys.argv[1])]
assert len(reqs) == 2, reqs                      # 500, then 200
for r in reqs:
    assert r["path"] == "/services/T0/B0/token", r
    assert r["content_type"] == "application/json", r
    msg = json.loads(r["body"])
    assert list(msg) == ["text"], msg
    text = msg["text"]
    assert text.startswith("*Unmatched SELL: BTC-USD*\n"), text
    assert "Sell S1 has 0.5 unmatched. Manual investigation required." in text, text
    assert "allocation version 1" in text, text
PY
if grep -q "token" "$WORK/err"; then fail "the webhook URL leaked into stderr"; else ok "URL not logged"; fi

# The environment variable, and a run without unmatched sells posts nothing new.
if FIFO_ALERT_WEBHOOK="$URL" "$FIFOCTL" --db "$DB" -q compute --all-symbols >"$WORK/out" 2>"$WORK/err"; then
  ok "compute with \$FIFO_ALERT_WEBHOOK"
else fail "compute (env): $(cat "$WORK/err")"; fi
[[ $(wc -l <"$WORK/requests.jsonl") -eq 3 ]] && grep -q '"n": 3' "$WORK/requests.jsonl" \
  && ok "env var posts too" || fail "after env run: $(cat "$WORK/requests.jsonl")"

if "$FIFOCTL" --db "$DB" -q --alert-webhook "ftp://example.com/x" compute --all-symbols >"$WORK/out" 2>"$WORK/err"; then
  fail "an ftp:// webhook was accepted"
else
  grep -q "http:// or https://" "$WORK/err" && ok "only http(s) URLs" || fail "bad URL message: $(cat "$WORK/err")"
fi
"$FIFOCTL" --db "$DB" -q runs >"$WORK/out" 2>&1
[[ $(grep -c completed "$WORK/out") -eq 2 ]] && ok "the bad URL started no run" || fail "runs: $(cat "$WORK/out")"

rm -rf "$WORK"
echo "$PASSED passed, $FAILED failed"
[[ $FAILED -eq 0 ]]
