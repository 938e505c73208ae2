#!/bin/sh
# Load benchmark (issues 3, 4 and 6): a bare civetweb "hello" server, a gatehouse mock
# route, a gatehouse Lua Lambda proxy route (also behind a cached Lua REQUEST authorizer)
# and a non-proxy Lua Lambda route (request and
# response templates), measured in the same run with wrk on loopback; then cold start on a
# 300-route definition and the render rate of a typical request template
# (gh_bench_render, bench/templates/typical.vtl). Prints a markdown table on stdout.
#   bench/run.sh            (from anywhere; needs wrk, cmake, a C compiler)
# Environment: DURATION (default 10s), CONNECTIONS (32), THREADS (wrk threads, 1),
#   WRK_CPU (the core wrk is pinned to, default the last one; "none" to leave it free),
#   RUNS (cold start, 10), RENDER_SECONDS (render benchmark, 2).
# wrk is pinned to one core so that the load generator does not compete with the server
# for every core: on two cores an unpinned wrk preempts server threads at random and the
# p99 column measures that (the bare server's own p99 swung 0.9 to 2.7 ms). The bare
# server and gatehouse are measured the same way in the same run.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-bench"
duration=${DURATION:-10s}
conns=${CONNECTIONS:-32}
threads=${THREADS:-1}
wrk_cpu=${WRK_CPU:-$(($(nproc) - 1))}
pin=""
if [ "$wrk_cpu" != none ] && command -v taskset >/dev/null; then
  pin="taskset -c $wrk_cpu"
fi
runs=${RUNS:-10}
render_s=${RENDER_SECONDS:-2}
tmp=$(mktemp -d)
pids=""

cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  for p in $pids; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

command -v wrk >/dev/null || { echo "bench/run.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2; }

echo "building Release in $build ..." >&2
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DGH_SANITIZE=OFF -DGH_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null

# start NAME CMD...: runs CMD with stdout to $tmp/NAME.out, waits (5 s at most) for
# its "listening on http://127.0.0.1:PORT" line and sets $port.
start() {
  name=$1; shift
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  pids="$pids $!"
  i=0
  port=""
  while [ $i -lt 500 ]; do
    line=$(head -n 1 "$tmp/$name.out" 2>/dev/null || true)
    case "$line" in
      "listening on http://127.0.0.1:"*) port=${line##*:}; return 0 ;;
    esac
    i=$((i + 1))
    sleep 0.01
  done
  echo "bench/run.sh: $name did not start; stderr:" >&2
  cat "$tmp/$name.err" >&2
  exit 1
}

# measure NAME URL [HEADER]: wrk, then "rps p99_ms" into $tmp/NAME.res
measure() {
  name=$1; url=$2; header=${3:-X-Bench: 1}
  curl -fsS -o /dev/null -H "$header" "$url" || { echo "bench/run.sh: $url does not answer 200" >&2; exit 1; }
  timeout 60 $pin wrk -t"$threads" -c"$conns" -d"$duration" --latency -H "$header" "$url" >"$tmp/$name.wrk"
  awk '
    /Requests\/sec:/ { rps = $2 }
    $1 == "99%" {
      v = $2; unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
      if (unit == "us") v = v / 1000; else if (unit == "s") v = v * 1000
      p99 = v
    }
    /Non-2xx or 3xx responses:/ { bad = $5 }
    /Socket errors:/ { errs = $0 }
    END {
      if (bad != "") printf "warning: %s non-2xx responses\n", bad > "/dev/stderr"
      if (errs != "") printf "warning: %s\n", errs > "/dev/stderr"
      printf "%s %.3f\n", rps, p99
    }' "$tmp/$name.wrk" >"$tmp/$name.res"
}

start bare "$build/bench/gh_bench_bare" --threads 256
bare_port=$port
start gatehouse "$build/gatehouse" serve "$root/bench/bench.yaml" --port 0 --host 127.0.0.1 --quiet
gh_port=$port

echo "${pin:+$pin }wrk -t$threads -c$conns -d$duration on 127.0.0.1 ..." >&2
measure bare "http://127.0.0.1:$bare_port/"
measure mock "http://127.0.0.1:$gh_port/bench/mock"
measure lua "http://127.0.0.1:$gh_port/bench/lua"
measure authed "http://127.0.0.1:$gh_port/bench/authed" "X-Token: bench-token"
# The authorizer's cost is a ratio of two routes, and one wrk run after the other moves
# with the machine by more than the cost itself: three back-to-back pairs, median ratio.
pair_duration=$duration
duration=${PAIR_DURATION:-5s}
for i in 1 2 3; do
  measure "lua_pair$i" "http://127.0.0.1:$gh_port/bench/lua"
  measure "auth_pair$i" "http://127.0.0.1:$gh_port/bench/authed" "X-Token: bench-token"
done
duration=$pair_duration
auth_ratio=$(for i in 1 2 3; do
  read l _ <"$tmp/lua_pair$i.res"; read z _ <"$tmp/auth_pair$i.res"
  awk -v l="$l" -v z="$z" 'BEGIN { printf "%.4f\n", z / l }'
done | sort -n | sed -n 2p)
measure lambda "http://127.0.0.1:$gh_port/bench/lambda/42"

"$root/bench/gen_routes.sh" 300 >"$tmp/routes300.yaml"
echo "cold start, $runs runs on 300 routes ..." >&2
cold=$("$build/bench/gh_bench_coldstart" "$build/gatehouse" "$tmp/routes300.yaml" /bench/res001 "$runs")

read bare_rps bare_p99 <"$tmp/bare.res"
read mock_rps mock_p99 <"$tmp/mock.res"
read lua_rps lua_p99 <"$tmp/lua.res"
read auth_rps auth_p99 <"$tmp/authed.res"
read lam_rps lam_p99 <"$tmp/lambda.res"

echo "render rate of bench/templates/typical.vtl, ${render_s} s ..." >&2
"$build/bench/gh_bench_render" "$root/bench/templates/typical.vtl" \
    "$root/bench/templates/typical-body.json" "$render_s" >"$tmp/render.res"
read render_rate compile_us render_bytes <"$tmp/render.res"

awk -v br="$bare_rps" -v bp="$bare_p99" -v mr="$mock_rps" -v mp="$mock_p99" \
    -v lr="$lua_rps" -v lp="$lua_p99" -v zr="$auth_rps" -v zp="$auth_p99" -v zq="$auth_ratio" -v ar="$lam_rps" -v ap="$lam_p99" \
    -v rr="$render_rate" -v cu="$compile_us" \
    -v cold="$cold" -v c="$conns" -v d="$duration" \
    -v t="$threads" -v pin="${pin:-unpinned}" '
function verdict(ok) { return ok ? "ok" : "MISSED" }
BEGIN {
  printf "| server | requests/s | p99 (ms) | ratio to bare | target |\n"
  printf "|---|---:|---:|---:|---|\n"
  printf "| bare civetweb hello | %.0f | %.3f | 100%% | - |\n", br, bp
  printf "| gatehouse mock route | %.0f | %.3f | %.0f%% | >= 50%%, p99 < 2 ms: %s |\n", mr, mp, 100 * mr / br, verdict(mr / br >= 0.50 && mp < 2)
  printf "| gatehouse Lua proxy route | %.0f | %.3f | %.0f%% | >= 35%%, p99 < 2 ms: %s |\n", lr, lp, 100 * lr / br, verdict(lr / br >= 0.35 && lp < 2)
  printf "| gatehouse Lua proxy route behind a cached Lua REQUEST authorizer | %.0f | %.3f | %.0f%% (%.0f%% of the Lua proxy route; median of 3 back-to-back pairs: %.0f%%) | cost < 10%% of the Lua proxy route: %s |\n", zr, zp, 100 * zr / br, 100 * zr / lr, 100 * zq, verdict(zq > 0.90)
  printf "| gatehouse non-proxy Lua Lambda route | %.0f | %.3f | %.0f%% | >= 30%%: %s |\n", ar, ap, 100 * ar / br, verdict(ar / br >= 0.30)
  printf "\n| measure | value | target |\n"
  printf "|---|---:|---|\n"
  printf "| cold start (exec to first answer, 300 routes, median) | %.2f ms | < 50 ms: %s |\n", cold, verdict(cold < 50)
  printf "| render, typical request template, 1 KB body | %.0f templates/s/core | recorded |\n", rr
  printf "| compile, same template | %.1f us | recorded |\n", cu
  printf "\nwrk: %d connections, %d thread(s), %s, %s per run, 127.0.0.1.\n", c, t, pin, d
}'
