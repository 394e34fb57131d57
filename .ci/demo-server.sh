# Sourced by the CI steps that need a running server: builds the debug `rabfang`, starts
# `rabfang serve --demo` on a temporary SQLite database and a free port, with an administrator's
# token, and stops it on exit. Sets: work (the temporary folder, removed on exit), base (the
# server's URL), token (the administrator's API token), server (its pid).
# Rate limits are lifted: the checks send many requests, and a 429 would hide what an
# operation itself answers.

cargo build --quiet -p api
rabfang="$PWD/target/debug/rabfang"

work="$(mktemp -d)"
server=""
stop_demo_server() {
  if [ -n "$server" ]; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop_demo_server EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export RABFANG_DATA_DIR="$work/data"
export DATABASE_URL="sqlite://$work/rabfang.db?mode=rwc"
export RABFANG_LISTEN="127.0.0.1:$port"
export RABFANG_LOG=warn
export RABFANG_RATE_LIMIT_ACCOUNT=1000000
export RABFANG_RATE_LIMIT_ADDRESS=1000000
export RABFANG_READ_LIMIT_ACCOUNT=1000000
export RABFANG_READ_LIMIT_ADDRESS=1000000
base="http://$RABFANG_LISTEN"

"$rabfang" migrate >/dev/null
token="$("$rabfang" user create --email ci-admin@example.org --role admin --name "CI administrator")"
"$rabfang" serve --demo >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 120); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log"; exit 1; }
  sleep 1
done
curl -fsS "$base/readyz" >/dev/null
