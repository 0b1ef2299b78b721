#!/usr/bin/env bash
# Benchmarks corskit proxy against nginx (Debian's, with the equivalent
# correct CORS configuration, upstream keep-alive, and the X-Forwarded-*
# headers the gateway sends too) and against the upstream alone, on
# loopback, in one run, with wrk. The server under test gets CPU 0 alone (one
# Go thread, one nginx worker); wrk and the upstream share CPU 1. The
# upstream is a second nginx answering `return 200` (UPSTREAM=go: the Go
# server in bench/upstream, which caps near 41k requests/s here). Then, at a
# fixed rate both servers sustain (RATE, default half the slower one's
# proxied-GET median), bench/load measures latency without coordinated
# omission.
# Needs: go, nginx, wrk, taskset (apt-get install nginx wrk).
#
#   bash bench/run.sh                    # 3 rounds of 10 s per server and scenario
#   ROUNDS=5 DURATION=30s bash bench/run.sh
#   OTHER=/tmp/corskit-old bash bench/run.sh   # another corskit build beside
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
go build -o "$work/load" ./bench/load
UPSTREAM="${UPSTREAM:-nginx}"
OTHER="${OTHER:-}"
OGW=127.0.0.1:18094

ME=bench
. bench/lib.sh

if [ "$UPSTREAM" = go ]; then
	GOMAXPROCS=1 taskset -c 1 "$work/upstream" -listen "$UP" & pids+=($!)
else
	mkdir -p "$work/up"
	cat >"$work/up/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $work/up/nginx.pid;
error_log stderr error;
events { worker_connections 4096; }
http {
    access_log off;
$(nginx_temp_paths "$work/up")
    keepalive_requests 1000000;
    server {
        listen $UP;
        location / { default_type application/json; return 200 '{"message": "Hello from API!"}\n'; }
    }
}
CONF
	taskset -c 1 nginx -p "$work/up" -c "$work/up/nginx.conf" -e stderr & pids+=($!)
fi
gateway() { # BINARY ADDRESS
	GOMAXPROCS=1 taskset -c 0 "$1" proxy --upstream "http://$UP" --listen "$2" --admin-listen "" \
		--allow-origin "$ORIGIN" --allow-method PUT --allow-header Content-Type --allow-credentials --max-age 600 \
		--log-level error & pids+=($!)
}
gateway "$work/corskit" "$GW"
if [ -n "$OTHER" ]; then gateway "$OTHER" "$OGW"; fi

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
    keepalive_requests 1000000;  # as the gateway: no limit on a client connection's requests
$(nginx_temp_paths "$work/nginx")
    upstream api { server $UP; keepalive 128; keepalive_requests 1000000; }
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
if [ -n "$OTHER" ]; then wait_port "$OGW"; fi

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"name": "corskit", "items": [1, 2, 3], "note": "a small JSON body"}'
wrk.headers["Origin"] = "https://app.example.com"
wrk.headers["Content-Type"] = "application/json"
LUA
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

# compare SCENARIO URL_A URL_B [URL_C] -- [wrk args...]: ROUNDS rounds, the
# servers alternating (so that a change in the machine's load hits each),
# and the median round of each, then the ratio of the medians to nginx's
# (URL_B).
compare() {
	local scenario="$1" a="$2" b="$3" c=""; shift 3
	if [ "$1" != "--" ]; then c="$1"; shift; fi
	shift
	for u in $a $b $c; do taskset -c 1 wrk -t1 -c"$CONNS" -d1s "$@" "$u" >/dev/null; done # warm-up
	local ra=() rb=() rc=()
	for _ in $(seq "$ROUNDS"); do
		ra+=("$(run "$a" "$@")")
		rb+=("$(run "$b" "$@")")
		if [ -n "$c" ]; then rc+=("$(run "$c" "$@")"); fi
	done
	median() { printf '%s\n' "$@" | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p"; }
	every() { printf '%s\n' "$@" | awk '{printf "%s%d", (NR>1 ? " " : ""), $1}'; }
	local ma mb mc
	ma="$(median "${ra[@]}")"; mb="$(median "${rb[@]}")"
	row "$scenario, corskit proxy" $ma "$(every "${ra[@]}")"
	row "$scenario, nginx" $mb "$(every "${rb[@]}")"
	echo "| $scenario: corskit / nginx | $(awk -v x="${ma%% *}" -v y="${mb%% *}" 'BEGIN {printf "%.2fx", x/y}') | | | | |"
	if [ -n "$c" ]; then
		mc="$(median "${rc[@]}")"
		row "$scenario, other build" $mc "$(every "${rc[@]}")"
		echo "| $scenario: other build / nginx | $(awk -v x="${mc%% *}" -v y="${mb%% *}" 'BEGIN {printf "%.2fx", x/y}') | | | | |"
	fi
	NGINX_RATE="${mb%% *}" CORSKIT_RATE="${ma%% *}"
}

row() { printf '| %-28s | %10s | %8s | %8s | %s | %s |\n' "$1" "$2" "$3" "$4" "$5" "$6"; }

echo "wrk -t1 -c$CONNS -d$DURATION, median of $ROUNDS alternating rounds; server under test on CPU 0 alone;"
echo "upstream: $UPSTREAM; $(nginx -v 2>&1); $(go version | cut -d' ' -f3)"
echo
echo "| scenario | requests/s (median) | p50 | p99 | non-2xx | every round, requests/s |"
echo "|---|---:|---:|---:|---:|---|"
other() { if [ -n "$OTHER" ]; then echo "$1"; fi; }
compare "preflight" "http://$GW/data" "http://$NGX/data" $(other "http://$OGW/data") -- -s "$work/preflight.lua"
compare "proxied GET" "http://$GW/data" "http://$NGX/data" $(other "http://$OGW/data") -- -H "Origin: $ORIGIN"
get_rate="$(awk -v a="$CORSKIT_RATE" -v b="$NGINX_RATE" 'BEGIN {print (a < b ? a : b)}')"
taskset -c 1 wrk -t1 -c"$CONNS" -d1s -H "Origin: $ORIGIN" "http://$UP/data" >/dev/null
up="$(run "http://$UP/data" -H "Origin: $ORIGIN")"
row "GET, upstream alone" $up "${up%% *}"
compare "proxied POST" "http://$GW/data" "http://$NGX/data" $(other "http://$OGW/data") -- -s "$work/post.lua"

# Latency at one fixed rate for both, half the slower server's proxied-GET
# rate unless RATE says otherwise: the p99 a client sees when neither server
# is saturated.
rate="${RATE:-$(awk -v r="$get_rate" 'BEGIN {printf "%d", r * 0.5}')}"
echo
echo "Proxied GET at a fixed $rate requests/s over $CONNS connections for $DURATION (bench/load; latency from each request's scheduled start):"
echo
echo "| server | achieved requests/s | p50 | p99 | p99.9 | errors |"
echo "|---|---:|---:|---:|---:|---:|"
for _ in $(seq "$ROUNDS"); do
	for s in "corskit=$GW" "nginx=$NGX" $(other "other-build=$OGW"); do
		taskset -c 1 "$work/load" -url "http://${s#*=}/data" -rate "$rate" -conns "$CONNS" -duration "$DURATION" \
			-header "Origin: $ORIGIN" -label "${s%%=*}"
	done
done
