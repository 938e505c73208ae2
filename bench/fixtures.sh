#!/bin/sh
# Contract-test speed (issue 5): `gatehouse test` running a generated 1000-fixture suite
# (10 files of 100) against bench/bench.yaml's mock and non-proxy Lambda routes, from
# exec to exit, median of RUNS (default 5). Not a timed test: run it by hand; the target
# (under 2 s on the 2-core development machine) and the figures are in bench/README.md.
#   bench/fixtures.sh          (from anywhere; builds Release in build-bench/)
# Environment: RUNS (5), FILES (10), PER_FILE (100), JOBS (gatehouse test --jobs, 1).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build-bench"
runs=${RUNS:-5}
files=${FILES:-10}
per_file=${PER_FILE:-100}
jobs=${JOBS:-1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DGH_SANITIZE=OFF -DGH_TESTS=OFF \
  >/dev/null
cmake --build "$build" -j"$(nproc)" --target gatehouse >/dev/null

# Each fixture checks status, a header and the body: half the mock route (exact body),
# half the non-proxy Lambda route (JSON subset and a JSONPath), with a capture carried
# from one fixture to the next as real suites do.
f=1
while [ "$f" -le "$files" ]; do
  out="$tmp/suite-$f.yaml"
  {
    echo "name: generated suite $f"
    echo "fixtures:"
    i=1
    while [ "$i" -le "$per_file" ]; do
      if [ $((i % 2)) -eq 1 ]; then
        cat <<FIX
  - name: mock $i
    request:
      path: /bench/mock
    expect:
      status: 200
      headers:
        Content-Type: application/json
      body: '{"hello": "mock"}'
FIX
      else
        cat <<FIX
  - name: lambda $i
    request:
      path: /bench/lambda/$i
      headers: {X-Trace: "t-$f-$i"}
    expect:
      status: 200
      headers:
        Content-Type: application/json
      json: {id: "$i"}
      jsonpath:
        \$.hello: lambda
    capture:
      last: {jsonpath: \$.id}
FIX
      fi
      i=$((i + 1))
    done
  } >"$out"
  f=$((f + 1))
done

# Check the suite passes once, then time it.
"$build/gatehouse" test "$root/bench/bench.yaml" "$tmp"/suite-*.yaml --jobs "$jobs" \
  >"$tmp/first.log" 2>&1 || { tail -20 "$tmp/first.log" >&2; echo "bench/fixtures.sh: the suite fails" >&2; exit 1; }
times=""
r=1
while [ "$r" -le "$runs" ]; do
  s=$(date +%s%N)
  "$build/gatehouse" test "$root/bench/bench.yaml" "$tmp"/suite-*.yaml --jobs "$jobs" \
    >/dev/null 2>&1
  e=$(date +%s%N)
  ms=$(( (e - s) / 1000000 ))
  echo "run $r: $ms ms" >&2
  times="$times $ms"
  r=$((r + 1))
done
median=$(echo $times | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
total=$((files * per_file))
echo "| measure | value | target |"
echo "|---|---:|---|"
echo "| \`gatehouse test\`, $total fixtures in $files files, --jobs $jobs, exec to exit (median of $runs) | $median ms | < 2000 ms: $([ "$median" -lt 2000 ] && echo ok || echo MISSED) |"
