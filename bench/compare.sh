#!/usr/bin/env bash
# Compares the middleware's benchmarks (and the gateway's in-process one)
# between a base revision and the working tree, with benchstat: run before
# asking for review of a change to cors/ or proxy/.
#
#   bash bench/compare.sh            # against the latest release tag, or HEAD when there is none
#   bash bench/compare.sh v0.1.0     # against any revision
#   COUNT=10 bash bench/compare.sh   # more runs per benchmark (default 6)
#
# The two sides alternate, run by run, so that a change in the machine's load
# hits both; benchstat then says which differences are significant.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCHSTAT=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
COUNT="${COUNT:-6}"
PATTERN="${PATTERN:-Middleware|Gateway}"
base="${1:-$(git describe --tags --abbrev=0 2>/dev/null || echo HEAD)}"
work="$(mktemp -d)"
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --detach "$work/base" "$base" >/dev/null
echo "base: $base ($(git -C "$work/base" rev-parse --short HEAD)); new: the working tree; $COUNT runs each, alternating"
# The middleware's benchmark, beside rs/cors, moved from ./cors to
# ./internal/corstest when cors became a module of its own.
mw() { if [ -d internal/corstest ]; then echo ./internal/corstest; else echo ./cors; fi; }
for i in $(seq "$COUNT"); do
	(cd "$work/base" && go test "$(mw)" ./proxy -run '^$' -bench "$PATTERN" -count 1 >>"$work/base.txt")
	go test "$(mw)" ./proxy -run '^$' -bench "$PATTERN" -count 1 >>"$work/new.txt"
	echo "run $i/$COUNT done" >&2
done
# One name for the middleware's package on both sides, so that benchstat
# puts them in one table.
sed -i 's#^pkg: github.com/corskit/corskit/internal/corstest$#pkg: github.com/corskit/corskit/cors#' "$work/base.txt" "$work/new.txt"
go run "$BENCHSTAT" base="$work/base.txt" new="$work/new.txt"
