#!/bin/sh
# SQS through the HTTP protocol (issue 7): builds Release in build-bench/, starts
# `gatehouse serve`, runs gh_bench_sqs_http (bench/sqs_http.c: 32 keep-alive clients,
# SendMessage / ReceiveMessage / DeleteMessage in SQS's JSON protocol, 10^5 requests) on a
# standard and on a FIFO queue, checks through /_gatehouse/ that both queues ended empty,
# then times single `aws sqs send-message` round trips (the CLI's start-up dominates: the
# floor a script driving the CLI cannot go below). Prints a markdown table on stdout.
#   bench/sqs.sh                 (needs cmake, a C compiler, libcurl; aws optional)
# Environment: MESSAGES (per queue, default 48000), CLIENTS (32), CLI_RUNS (5), AWS_CLI
# (the CLI to time, default `aws` on PATH).
# No peer emulator is measured: ElasticMQ (a JVM jar) and LocalStack (Docker or pip with
# its own services) cannot be installed from Debian's packages, which is all CI reaches.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-bench"
messages=${MESSAGES:-48000}
clients=${CLIENTS:-32}
cli_runs=${CLI_RUNS:-5}
cli=${AWS_CLI:-aws}
tmp=$(mktemp -d)
pid=""

cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

echo "building Release in $build ..." >&2
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DGH_SANITIZE=OFF -DGH_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target gatehouse gh_bench_sqs_http >/dev/null

"$build/gatehouse" serve "$root/specs/tests/echo.yaml" --port 0 --host 127.0.0.1 --quiet \
  >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
port=""
i=0
while [ $i -lt 500 ] && [ -z "$port" ]; do
  case "$(head -n 1 "$tmp/serve.out" 2>/dev/null || true)" in
    "listening on http://127.0.0.1:"*) port=$(head -n 1 "$tmp/serve.out"); port=${port##*:} ;;
    *) i=$((i + 1)); sleep 0.01 ;;
  esac
done
[ -n "$port" ] || { echo "bench/sqs.sh: gatehouse did not start:" >&2; cat "$tmp/serve.err" >&2; exit 1; }

for mode in standard fifo; do
  echo "gh_bench_sqs_http $mode, $messages messages, $clients clients ..." >&2
  "$build/bench/gh_bench_sqs_http" "$port" "$mode" "$messages" "$clients" >"$tmp/$mode.res"
done
# What the simulator says is left: nothing visible, nothing in flight.
for q in bench-std bench.fifo; do
  left=$(curl -fsS "http://127.0.0.1:$port/_gatehouse/queues/$q")
  case "$left" in
    *'"visible":0,'*'"inFlight":0,'*) ;;
    *) echo "bench/sqs.sh: $q is not empty: $left" >&2; exit 1 ;;
  esac
done

cli_ms="-"
if command -v "$cli" >/dev/null; then
  echo "aws sqs send-message, $cli_runs round trips ..." >&2
  url="http://127.0.0.1:$port/123456789012/bench-std"
  n=0
  while [ $n -lt "$cli_runs" ]; do
    t0=$(date +%s%N)
    AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_CONFIG_FILE=/dev/null \
      AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true \
      "$cli" --endpoint-url "http://127.0.0.1:$port" --region us-east-1 \
      sqs send-message --queue-url "$url" --message-body cli >/dev/null
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000000)) >>"$tmp/cli.ms"
    n=$((n + 1))
  done
  cli_ms=$(sort -n "$tmp/cli.ms" | sed -n "$(((cli_runs + 1) / 2))p")
  cli_version=$("$cli" --version 2>&1 | cut -d' ' -f1)
fi

echo "| run | messages | requests | seconds | requests/s | lost | duplicated | out of order |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for mode in standard fifo; do
  tr ' ' '\n' <"$tmp/$mode.res" | awk -F= -v mode="$mode" '
    NF == 2 { v[$1] = $2 }
    END { printf "| %s queue, %s clients | %s | %s | %s | %s | %s | %s | %s |\n", mode, '"$clients"',
          v["messages"], v["requests"], v["seconds"], v["requests_per_s"], v["lost"],
          v["duplicated"], v["out_of_order"] }'
done
if [ "$cli_ms" != "-" ]; then
  echo
  echo "\`aws sqs send-message\` ($cli_version), median of $cli_runs: $cli_ms ms per call" \
       "($(awk -v m="$cli_ms" 'BEGIN { printf "%.1f", 1000 / m }') calls/s from one shell)"
fi
