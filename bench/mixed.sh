#!/usr/bin/env bash
# Issue 20, finding 1: answers handed to another client. A hostile upstream
# (bench/mixed) writes bytes past some answers' framing; victims and
# attackers (bench/mixed load) send marked requests through each gateway in
# turn for DURATION: corskit proxy as configured by default, corskit proxy
# --std-transport, and nginx (Debian's, upstream keepalive on). Two modes:
# POST to an http upstream, GET to an https one. Prints one row per
# gateway and mode: requests, victims' requests, answers that went to
# another client, victims' failed requests (5xx or cut), the first mix.
# Loopback only, ports 20100-20112. Needs: go, nginx.
#
#   bash bench/mixed.sh                   # 15 s per gateway and mode
#   DURATION=5s MODES="POST:http" bash bench/mixed.sh
#   CORSKIT=/tmp/corskit-a564565 bash bench/mixed.sh   # another corskit build
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${DURATION:-15s}"
MODES="${MODES:-POST:http GET:https PUT:https}"
UP=127.0.0.1:20100 GW=127.0.0.1:20110 STD=127.0.0.1:20111 NGX=127.0.0.1:20112
work="$(mktemp -d)"
pids=()
stop() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
trap 'stop; rm -rf "$work"' EXIT
for tool in go nginx; do
	command -v "$tool" >/dev/null || { echo "mixed: $tool not found (apt-get install nginx)" >&2; exit 2; }
done
if [ -n "${CORSKIT:-}" ]; then cp "$CORSKIT" "$work/corskit"; else go build -o "$work/corskit" ./cmd/corskit; fi
go build -o "$work/mixed" ./bench/mixed
ME=mixed
. bench/lib.sh

echo "$DURATION per gateway and mode; 12 victims, 4 attackers; $(nginx -v 2>&1); $(go version | cut -d' ' -f3)"
echo
echo "| gateway | method | requests | victims' requests | mixed answers | victims' failures | first mix |"
echo "|---|---|---:|---:|---:|---:|---|"
for mode in $MODES; do
	method="${mode%%:*}" scheme="${mode#*:}"
	tls=()
	if [ "$scheme" = https ]; then tls=(-https -cert-out "$work/up.pem"); fi
	"$work/mixed" upstream -listen "$UP" "${tls[@]}" & pids+=($!)
	wait_port "$UP"
	for g in "$GW=" "$STD=--std-transport"; do
		SSL_CERT_FILE="$work/up.pem" "$work/corskit" proxy --upstream "$scheme://$UP" --listen "${g%%=*}" --admin-listen "" \
			--allow-origin https://app.example.com --allow-method PUT --allow-method PATCH --allow-method DELETE \
			--allow-credentials --log-level error ${g#*=} & pids+=($!)
	done
	mkdir -p "$work/nginx"
	cat >"$work/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log error;
events { worker_connections 4096; }
http {
    access_log off;
$(nginx_temp_paths "$work/nginx")
    upstream api { server $UP; keepalive 128; keepalive_requests 1000000; }
    server {
        listen $NGX;
        location / {
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass $scheme://api;
        }
    }
}
CONF
	nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e stderr & pids+=($!)
	wait_port "$GW"; wait_port "$STD"; wait_port "$NGX"
	for g in "corskit=$GW" "corskit --std-transport=$STD" "nginx (keepalive 128)=$NGX"; do
		"$work/mixed" load -url "http://${g#*=}" -method "$method" -duration "$DURATION" -label "${g%%=*}, $scheme upstream"
	done
	stop
done
