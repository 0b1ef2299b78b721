#!/usr/bin/env bash
# Benchmarks corskit proxy against nginx (Debian's, with the equivalent
# correct CORS configuration, upstream keep-alive, and the X-Forwarded-*
# headers the gateway sends too) and against the upstream alone, on
# loopback, in one run, with wrk. The server under test gets CPU 0 alone (one Go thread, one nginx worker); wrk and the upstream
# share CPU 1. Needs: go, nginx, wrk, taskset (apt-get install nginx wrk).
#
#   bash bench/run.sh                    # 3 rounds of 10 s per server and scenario
#   ROUNDS=5 DURATION=30s bash bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-10s}"
ROUNDS="${ROUNDS:-3}"
CONNS="${CONNS:-64}"
ORIGIN="https://app.example.com"
UP=127.0.0.1:18090 GW=127.0.0.1:18091 NGX=127.0.0.1:18092 ADMIN=127.0.0.1:18093
work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

for tool in go nginx wrk taskset; do
	command -v "$tool" >/dev/null || { echo "bench: $tool not found (apt-get install nginx wrk)" >&2; exit 2; }
done
go build -o "$work/corskit" ./cmd/corskit
go build -o "$work/upstream" ./bench/upstream

wait_port() { for _ in $(seq 100); do (echo >"/dev/tcp/${1%:*}/${1#*:}") 2>/dev/null && return; sleep 0.1; done; echo "bench: nothing on $1" >&2; exit 1; }

GOMAXPROCS=1 taskset -c 1 "$work/upstream" -listen "$UP" & pids+=($!)
GOMAXPROCS=1 taskset -c 0 "$work/corskit" proxy --upstream "http://$UP" --listen "$GW" --admin-listen "$ADMIN" \
	--allow-origin "$ORIGIN" --allow-method PUT --allow-header Content-Type --allow-credentials --max-age 600 \
	--log-level error & pids+=($!)

mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 1;
worker_cpu_affinity 01;
pid $work/nginx/nginx.pid;
error_log stderr error;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    upstream api { server $UP; keepalive 128; }
    map \$http_origin \$cors_origin { default ""; "$ORIGIN" \$http_origin; }
    server {
        listen $NGX;
        location / {
            add_header Access-Control-Allow-Origin \$cors_origin always;
            add_header Access-Control-Allow-Credentials "true" always;
            add_header Access-Control-Allow-Methods "PUT" always;
            add_header Access-Control-Allow-Headers "Content-Type" always;
            add_header Access-Control-Max-Age 600 always;
            add_header Vary Origin always;
            proxy_hide_header Access-Control-Allow-Origin;
            if (\$request_method = OPTIONS) { return 204; }
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For \$remote_addr;
            proxy_set_header X-Forwarded-Host \$http_host;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_pass http://api;
        }
    }
}
CONF
taskset -c 0 nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e stderr & pids+=($!)
wait_port "$UP"; wait_port "$GW"; wait_port "$NGX"

cat >"$work/preflight.lua" <<'LUA'
wrk.method = "OPTIONS"
wrk.headers["Origin"] = "https://app.example.com"
wrk.headers["Access-Control-Request-Method"] = "PUT"
wrk.headers["Access-Control-Request-Headers"] = "content-type"
LUA

# run URL [wrk args...]: one wrk run; prints "requests/s p50 p99 non-2xx".
run() {
	local url="$1"; shift
	local out; out="$(taskset -c 1 wrk -t1 -c"$CONNS" -d"$DURATION" --latency "$@" "$url")"
	awk '/Requests\/sec/ {r=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} /Non-2xx/ {n=$5}
		END {printf "%s %s %s %s\n", r, p50, p99, (n=="" ? 0 : n)}' <<<"$out"
}

# compare SCENARIO URL_A URL_B [wrk args...]: ROUNDS rounds, the two servers
# alternating (so that a change in the machine's load hits both), and the
# median round of each, then the ratio of the medians.
compare() {
	local scenario="$1" a="$2" b="$3"; shift 3
	taskset -c 1 wrk -t1 -c"$CONNS" -d1s "$@" "$a" >/dev/null   # warm-up
	taskset -c 1 wrk -t1 -c"$CONNS" -d1s "$@" "$b" >/dev/null
	local ra=() rb=()
	for _ in $(seq "$ROUNDS"); do
		ra+=("$(run "$a" "$@")")
		rb+=("$(run "$b" "$@")")
	done
	local ma mb
	ma="$(printf '%s\n' "${ra[@]}" | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p")"
	mb="$(printf '%s\n' "${rb[@]}" | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p")"
	row "$scenario, corskit proxy" $ma "$(printf '%s\n' "${ra[@]}" | awk '{printf "%s%d", (NR>1 ? " " : ""), $1}')"
	row "$scenario, nginx" $mb "$(printf '%s\n' "${rb[@]}" | awk '{printf "%s%d", (NR>1 ? " " : ""), $1}')"
	echo "| $scenario: corskit / nginx | $(awk -v x="${ma%% *}" -v y="${mb%% *}" 'BEGIN {printf "%.2fx", x/y}') | | | | |"
}

row() { printf '| %-28s | %10s | %8s | %8s | %s | %s |\n' "$1" "$2" "$3" "$4" "$5" "$6"; }

echo "wrk -t1 -c$CONNS -d$DURATION, median of $ROUNDS alternating rounds; server under test on CPU 0 alone;"
echo "$(nginx -v 2>&1); $(go version | cut -d' ' -f3)"
echo
echo "| scenario | requests/s (median) | p50 | p99 | non-2xx | every round, requests/s |"
echo "|---|---:|---:|---:|---:|---|"
compare "preflight" "http://$GW/data" "http://$NGX/data" -s "$work/preflight.lua"
compare "proxied GET" "http://$GW/data" "http://$NGX/data" -H "Origin: $ORIGIN"
taskset -c 1 wrk -t1 -c"$CONNS" -d1s -H "Origin: $ORIGIN" "http://$UP/data" >/dev/null
up="$(run "http://$UP/data" -H "Origin: $ORIGIN")"
row "GET, upstream alone" $up "${up%% *}"
