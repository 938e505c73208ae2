#!/bin/bash
# WebSocket load benchmark (issue 8), all on 127.0.0.1 with ephemeral ports:
#  (a) messages per second through gatehouse's Lua $default route (bench/ws-api.yaml,
#      bench/handlers/ws_echo.lua) next to a bare civetweb echo server
#      (bench/ws_echo.c) in the same run: gh_bench_ws_load (bench/ws_load.c, civetweb's
#      WebSocket client), CONNECTIONS x INFLIGHT messages in flight for RUN_SECONDS;
#  (b) HTTP latency of a REST route (wrk --latency) with no idle WebSocket connection and
#      with IDLE of them held open by gh_bench_ws_idle (bench/ws_idle.c), on the bare
#      server and on gatehouse, both started with IDLE_THREADS threads (Debian's civetweb
#      holds a thread per open connection), with their RSS and start time.
# Prints markdown tables on stdout; exits 1 when a run failed (a wrong reply, a dropped
# or refused connection), not when a target is missed.
#   bench/ws.sh            (needs wrk, cmake, a C compiler; about 2 min after the build)
# Environment: CONNECTIONS (16), INFLIGHT (8), RUN_SECONDS (10), PAIRS (3), PAIR_SECONDS
#   (5; PAIRS back-to-back pairs for the median ratio), IDLE (5000), IDLE_THREADS
#   (IDLE + 256), DURATION (wrk, 10s), WRK_CONNECTIONS (32), WRK_CPU (the core wrk is
#   pinned to, default the last; "none" to leave it free, as bench/run.sh), RUNS (start
#   time, median of 3).
# The load generator is not pinned: it runs a reader thread per connection, and on one
# core it starves itself (measured: the bare echo fell from ~95k to ~60k messages/s).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-bench"
conns=${CONNECTIONS:-16}
inflight=${INFLIGHT:-8}
seconds=${RUN_SECONDS:-10} # not SECONDS: bash counts its own uptime in that variable
pairs=${PAIRS:-3}
pair_seconds=${PAIR_SECONDS:-5}
idle=${IDLE:-5000}
idle_threads=${IDLE_THREADS:-$((idle + 256))}
duration=${DURATION:-10s}
wrk_conns=${WRK_CONNECTIONS:-32}
runs=${RUNS:-3}
wrk_cpu=${WRK_CPU:-$(($(nproc) - 1))}
pin=""
if [ "$wrk_cpu" != none ] && command -v taskset >/dev/null; then
  pin="taskset -c $wrk_cpu"
fi
tmp=$(mktemp -d)
pids=""
failed=0

cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null || true; done
  for p in $pids; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

command -v wrk >/dev/null || { echo "bench/ws.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2; }

# Every idle connection is a descriptor in gh_bench_ws_idle and one in the server.
need=$((idle + 1024))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
  hard=$(ulimit -Hn)
  if [ "$hard" != unlimited ] && [ "$hard" -lt "$need" ]; then
    echo "bench/ws.sh: $idle idle connections need $need descriptors; the hard limit is $hard (lower IDLE)" >&2
    exit 2
  fi
  ulimit -n "$need"
fi

echo "building Release in $build ..." >&2
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DGH_SANITIZE=OFF -DGH_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target gatehouse gh_bench_ws_echo gh_bench_ws_load \
  gh_bench_ws_idle gh_bench_coldstart >/dev/null

# start NAME CMD...: runs CMD with stdout to $tmp/NAME.out, waits (10 s at most) for its
# "listening on http://127.0.0.1:PORT" line; sets $port, $pid and $start_ms (exec to
# that line, to 10 ms).
start() {
  local name=$1 t0 line i; shift
  t0=$(date +%s%N)
  "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
  pid=$!
  pids="$pids $pid"
  i=0
  port=""
  while [ $i -lt 1000 ]; do
    line=$(head -n 1 "$tmp/$name.out" 2>/dev/null || true)
    case "$line" in
      "listening on http://127.0.0.1:"*)
        port=${line##*:}
        start_ms=$((($(date +%s%N) - t0) / 1000000))
        return 0 ;;
    esac
    i=$((i + 1))
    sleep 0.01
  done
  echo "bench/ws.sh: $name did not start; stderr:" >&2
  cat "$tmp/$name.err" >&2
  exit 1
}

stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  pids=$(echo "$pids" | tr ' ' '\n' | grep -vx "$1" | tr '\n' ' ')
}

rss_mb() { awk '/^VmRSS:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
nthreads() { awk '/^Threads:/ { print $2 }' "/proc/$1/status"; }

# wrk NAME URL: wrk --latency, then "rps p50_ms p99_ms" into $tmp/NAME.res
measure() {
  local name=$1 url=$2
  curl -fsS -o /dev/null "$url" || { echo "bench/ws.sh: $url does not answer 200" >&2; exit 1; }
  timeout 60 $pin wrk -t1 -c"$wrk_conns" -d"$duration" --latency "$url" >"$tmp/$name.wrk"
  awk '
    function ms(v,   unit) {
      unit = v; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", v)
      if (unit == "us") return v / 1000
      if (unit == "s") return v * 1000
      return v
    }
    /Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx or 3xx responses:/ { bad = $5 }
    /Socket errors:/ { errs = $0 }
    END {
      if (bad != "") printf "warning: %s non-2xx responses\n", bad > "/dev/stderr"
      if (errs != "") printf "warning: %s\n", errs > "/dev/stderr"
      printf "%.0f %.3f %.3f\n", rps, p50, p99
    }' "$tmp/$name.wrk" >"$tmp/$name.res"
}

# load NAME PORT SECONDS: gh_bench_ws_load, its key=value line into $tmp/NAME.load
load() {
  echo "gh_bench_ws_load $1: $conns connections x $inflight in flight, $3 s ..." >&2
  if ! timeout $(($3 + 30)) "$build/bench/gh_bench_ws_load" "$2" /bench "$conns" "$inflight" \
      "$3" >"$tmp/$1.load" 2>"$tmp/$1.load.err"; then
    echo "bench/ws.sh: the $1 load run failed:" >&2
    cat "$tmp/$1.load" "$tmp/$1.load.err" >&2
    failed=1
  fi
}

field() { tr ' ' '\n' <"$1" | awk -F= -v k="$2" '$1 == k { v = $2 } END { print (v == "" ? "-" : v) }'; }

# Does this gatehouse serve WebSocket APIs? Before issue 8 landed it ignored the block.
start probe "$build/gatehouse" serve "$root/bench/ws-api.yaml" --port 0 --host 127.0.0.1 --quiet
stop "$pid"
has_ws=1
if grep -q "unknown x-gatehouse setting 'websocket'" "$tmp/probe.err"; then
  has_ws=0
  echo "bench/ws.sh: this gatehouse has no WebSocket support yet; measuring the bare server only" >&2
fi

# (a) messages per second: one RUN_SECONDS run each, then PAIRS back-to-back pairs of
# PAIR_SECONDS for the median ratio (one run after another moves with this shared machine
# by more than the difference being measured; as run.sh does for the authorizer).
start echo "$build/bench/gh_bench_ws_echo"
echo_pid=$pid
echo_port=$port
if [ $has_ws = 1 ]; then
  start gatehouse "$build/gatehouse" serve "$root/bench/ws-api.yaml" --port 0 --host 127.0.0.1 --quiet
  gh_pid=$pid
  gh_port=$port
fi
load bare "$echo_port" "$seconds"
[ $has_ws = 1 ] && load gatehouse "$gh_port" "$seconds"
pair_ratio="-"
if [ $has_ws = 1 ] && [ "$pairs" -gt 0 ]; then
  for i in $(seq "$pairs"); do
    load "bare_pair$i" "$echo_port" "$pair_seconds"
    load "gh_pair$i" "$gh_port" "$pair_seconds"
  done
  pair_ratio=$(for i in $(seq "$pairs"); do
    awk -v b="$(field "$tmp/bare_pair$i.load" messages_per_s)" \
        -v g="$(field "$tmp/gh_pair$i.load" messages_per_s)" \
        'BEGIN { if (b == "-" || g == "-" || b == 0) print "-"; else printf "%.4f\n", g / b }'
  done | sort -n | sed -n "$(((pairs + 1) / 2))p")
  stop "$gh_pid"
fi
stop "$echo_pid"

# (b) HTTP latency with IDLE idle connections. idle_run NAME CMD...: starts the server
# with IDLE_THREADS threads, wrk without, then with the idle connections open.
idle_run() {
  local name=$1 srv url hold holder i; shift
  start "$name" "$@" --threads "$idle_threads"
  srv=$pid
  echo "$start_ms $(rss_mb "$srv") $(nthreads "$srv")" >"$tmp/$name.start"
  url="http://127.0.0.1:$port/bench/health"
  echo "$name: wrk on $url, no idle connections ..." >&2
  measure "$name.quiet" "$url"
  echo "$name: opening $idle idle WebSocket connections ..." >&2
  hold=$((2 * ${duration%s} + 120))
  "$build/bench/gh_bench_ws_idle" "$port" /bench "$idle" "$hold" >"$tmp/$name.idle" 2>"$tmp/$name.idle.err" &
  holder=$!
  pids="$pids $holder"
  i=0
  while [ $i -lt 1200 ] && ! grep -q '^open=' "$tmp/$name.idle" && kill -0 "$holder" 2>/dev/null; do
    i=$((i + 1)); sleep 0.1
  done
  if ! grep -q '^open=[0-9]* ms=[0-9]*$' "$tmp/$name.idle"; then
    echo "bench/ws.sh: $name: the idle connections did not all open:" >&2
    cat "$tmp/$name.idle" "$tmp/$name.idle.err" >&2
    failed=1
    stop "$holder"
    echo "- - -" >"$tmp/$name.busy.res"
    echo "-" >"$tmp/$name.busy.rss"
  else
    echo "$(rss_mb "$srv") $(nthreads "$srv")" >"$tmp/$name.busy.rss"
    echo "$name: wrk on $url, $idle idle connections open ..." >&2
    measure "$name.busy" "$url"
    kill "$holder" 2>/dev/null || true
    wait "$holder" || { echo "bench/ws.sh: $name: the server dropped idle connections:" >&2;
                        cat "$tmp/$name.idle" >&2; failed=1; }
    pids=$(echo "$pids" | tr ' ' '\n' | grep -vx "$holder" | tr '\n' ' ')
  fi
  stop "$srv"
}

idle_run echo_idle "$build/bench/gh_bench_ws_echo"
if [ $has_ws = 1 ]; then
  idle_run gh_idle "$build/gatehouse" serve "$root/bench/ws-api.yaml" --port 0 --host 127.0.0.1 --quiet
fi
echo "start time, median of $runs, default threads and $idle_threads ..." >&2
cold_default=$("$build/bench/gh_bench_coldstart" "$build/gatehouse" "$root/bench/ws-api.yaml" /bench/health "$runs" 2>/dev/null)
cold_many=$("$build/bench/gh_bench_coldstart" "$build/gatehouse" "$root/bench/ws-api.yaml" /bench/health "$runs" \
  --threads "$idle_threads" 2>/dev/null)

# ---- tables
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.0f%%", 100 * a / b }'; }
verdict() { awk -v ok="$1" 'BEGIN { print (ok == "1" ? "ok" : (ok == "-" ? "not run" : "MISSED")) }'; }
row_load() {
  local f="$tmp/$1.load"
  if [ -s "$f" ]; then
    echo "$(field "$f" messages_per_s) $(field "$f" p50_ms) $(field "$f" p99_ms) $(field "$f" errors)"
  else
    echo "- - - -"
  fi
}
read b_mps b_p50 b_p99 b_err <<<"$(row_load bare)"
read g_mps g_p50 g_p99 g_err <<<"$(row_load gatehouse)"
g_ratio=$(ratio "$g_mps" "$b_mps")
g_ok=$(awk -v g="$g_mps" -v b="$b_mps" -v q="$pair_ratio" 'BEGIN {
  if (g == "-" || b == "-") print "-"; else print (g / b >= 0.60 && (q == "-" || q >= 0.60)) }')
pair_pct=$(awk -v q="$pair_ratio" 'BEGIN { if (q == "-") print "-"; else printf "%.0f%%", 100 * q }')

echo "| server | messages/s | p50 (ms) | p99 (ms) | errors | ratio to bare | target |"
echo "|---|---:|---:|---:|---:|---:|---|"
echo "| bare civetweb echo (\`gh_bench_ws_echo\`) | $b_mps | $b_p50 | $b_p99 | $b_err | 100% | - |"
echo "| gatehouse, Lua \`\$default\` route (\`bench/ws-api.yaml\`) | $g_mps | $g_p50 | $g_p99 | $g_err | $g_ratio (median of $pairs back-to-back ${pair_seconds} s pairs: $pair_pct) | >= 60%: $(verdict "$g_ok") |"
echo
echo "$conns connections x $inflight messages in flight, ${seconds} s, civetweb's WebSocket client, unpinned."
echo

row_idle() {
  local name=$1 label=$2 st rss0 th0 q_rps q_p50 q_p99 i_rps i_p50 i_p99 rss1 open_ms target
  [ -f "$tmp/$name.start" ] || return 0
  read st rss0 th0 <"$tmp/$name.start"
  read q_rps q_p50 q_p99 <"$tmp/$name.quiet.res"
  read i_rps i_p50 i_p99 <"$tmp/$name.busy.res"
  read rss1 _ <"$tmp/$name.busy.rss"
  open_ms=$(sed -n 's/^open=[0-9]* ms=\([0-9]*\)$/\1/p' "$tmp/$name.idle")
  target="-"
  if [ "$name" = gh_idle ]; then
    target="p99 < 5 ms: $(verdict "$(awk -v p="$i_p99" 'BEGIN { print (p == "-" ? "-" : p < 5) }')")"
  fi
  echo "| $label | 0 | $q_rps | $q_p50 | $q_p99 | $rss0 | $st ms, $th0 threads | - |"
  echo "| $label | $idle (opened in ${open_ms:-?} ms) | $i_rps | $i_p50 | $i_p99 | $rss1 | | $target |"
}
echo "| server ($idle_threads threads) | idle WebSocket connections | HTTP requests/s | p50 (ms) | p99 (ms) | RSS (MB) | start (exec to listening) | target |"
echo "|---|---:|---:|---:|---:|---:|---:|---|"
row_idle echo_idle "bare civetweb (\`GET /bench/health\` answers hello)"
row_idle gh_idle "gatehouse (\`GET /bench/health\`, a mock)"
echo
echo "wrk: ${pin:-unpinned} wrk -t1 -c$wrk_conns -d$duration --latency, 127.0.0.1."
echo
echo "| gatehouse start, exec to first answered request (median of $runs) | ms |"
echo "|---|---:|"
echo "| default threads (1024: the definition has a WebSocket API) | $cold_default |"
echo "| --threads $idle_threads | $cold_many |"
exit $failed
