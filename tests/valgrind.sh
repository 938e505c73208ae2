#!/bin/sh
# Runs the gatehouse binary of a non-sanitizer build under valgrind's memcheck: `validate`
# on every corpus definition, `routes` and `invoke` on the examples, `serve` answering a
# mix of requests over loopback until SIGTERM, and `serve` holding a WebSocket session
# (tests/ws_session.py, python3). Fails on any invalid access, use of uninitialised
# memory, or a definite/indirect leak (civetweb, libc and Lua keep some memory "still
# reachable" until exit; that is not a leak of ours and is not counted).
#
# Usage: tests/valgrind.sh BUILD_DIR   (BUILD_DIR/gatehouse, configured without
#        GH_SANITIZE: valgrind and ASan cannot share a process)
# Bounded: every valgrind run has a timeout, every request a --max-time; ~1 minute on 2 cores.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(cd "${1:?usage: tests/valgrind.sh BUILD_DIR}" && pwd)/gatehouse
corpus=${GH_CORPUS:-$root/../shared/corpus/definitions} # as test_corpus_validate
cd "$root"

[ -x "$bin" ] || { echo "valgrind.sh: no binary at $bin" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 2; }
command -v curl >/dev/null || { echo "valgrind.sh: curl is not installed" >&2; exit 2; }
command -v python3 >/dev/null || { echo "valgrind.sh: python3 is not installed" >&2; exit 2; }

work=$(mktemp -d /tmp/gh-valgrind-XXXXXX)
server=""
cleanup() {
    if [ -n "$server" ]; then kill -KILL "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

VG_EXIT=99
failures=0
runs=0

# vg NAME ARGS...: one gatehouse run under memcheck, at most 120 s; it must exit as the
# same run without valgrind does (this checks memory, not what the commands answer).
vg() {
    name=$1
    shift
    want=0
    "$bin" "$@" >/dev/null 2>&1 || want=$?
    runs=$((runs + 1))
    log="$work/$runs.log"
    set +e
    timeout 120 valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
        --error-exitcode=$VG_EXIT --log-file="$log" "$bin" "$@" >"$work/out" 2>"$work/err"
    rc=$?
    set -e
    if [ "$rc" -ne "$want" ] || [ -s "$log" ]; then
        echo "FAIL $name: exit $rc (want $want)" >&2
        cat "$log" "$work/err" >&2
        failures=$((failures + 1))
    fi
}

# 1. validate: every corpus definition, and our test definitions (broken ones too).
if [ -d "$corpus" ]; then
    for f in "$corpus"/*; do
        [ -f "$f" ] || continue
        vg "validate $f" validate "$f"
    done
else
    echo "valgrind.sh: no corpus at $corpus (set GH_CORPUS); validating the repo's own" >&2
fi
for f in specs/tests/*.yaml examples/petstore/api.yaml examples/auth/api.yaml; do
    vg "validate $f" validate "$f"
done

# 2. routes and invoke: a function that answers, one that raises, one that does not exist.
event=specs/tests/events/apigw-proxy-event.json
vg "routes petstore" routes examples/petstore/api.yaml
vg "routes auth" routes examples/auth/api.yaml
vg "token id" token examples/auth/api.yaml --pool us-east-1_Notes0001 --user alice
vg "token access" token examples/auth/api.yaml --pool us-east-1_Notes0001 --user bob --access --scope notes/admin
vg "token jwks" token examples/auth/api.yaml --pool us-east-1_Notes0001 --jwks
vg "token unknown user" token examples/auth/api.yaml --pool us-east-1_Notes0001 --user mallory
vg "routes overlay" routes examples/petstore/api.yaml --overlay specs/tests/overlay-petstore.yaml
vg "invoke petstore-pets" invoke petstore-pets --event "$event" examples/petstore/api.yaml
vg "invoke boom" invoke boom --event "$event" specs/tests/echo.yaml
vg "invoke unknown" invoke nope --event "$event" specs/tests/echo.yaml

# 2b. render: request, response, gateway response and Lua templates, and a VTL file.
np=specs/tests/nonproxy.yaml
vg "render request template" render "$np" GET /default/pets/42
vg "render response template" render "$np" GET /default/pets/42 --response default \
    --integration-body '{"id":42,"name":"rex","tags":["good","dog"],"stage":"default"}'
vg "render error template" render "$np" POST /default/pets -d '{}' --response 'BadRequest: name is required' \
    --integration-body '{"errorMessage":"BadRequest: name is required","errorType":"ValidationError"}'
vg "render mock" render "$np" GET /default/mock/7
vg "render lua" render "$np" GET '/default/lua/42?greet=hi' --response default
vg "render gateway response" render "$np" GET /default/nowhere --gateway-response MISSING_AUTHENTICATION_TOKEN
vg "render template file" render "$np" GET '/default/pets/42?a=1' --template specs/tests/render/params.vtl
vg "render body not json" render "$np" POST /default/pets -d 'a=1'

# 2c. test: the petstore's own contract (two worker threads), a failing fixture with its
# diff and reports, and a replay from recordings written by hand (no network).
vg "test petstore" test examples/petstore/api.yaml examples/petstore/fixtures --jobs 2 \
    --junit "$work/junit.xml" --seed 7 --clock 1781013791000
printf 'fixtures:\n  - name: wrong\n    request: {path: /dev/health}\n    expect: {status: 418, json: {status: down}}\n' \
    >"$work/failing.yaml"
vg "test failing" test examples/petstore/api.yaml "$work/failing.yaml" --tap
mkdir -p "$work/rec"
printf 'recordings:\n  - request: {method: GET, url: "http://127.0.0.1:9/echo/a"}\n    response: {status: 200, headers: {Content-Type: application/json}, body: "{\\"ok\\":1}"}\n' \
    >"$work/rec/backend.yaml"
printf 'x-gatehouse:\n  stages:\n    test:\n      variables:\n        backend: "127.0.0.1:9"\n        dead: "127.0.0.1:1"\n' \
    >"$work/http-overlay.yaml"
printf 'fixtures:\n  - name: replayed\n    request: {path: /test/proxy/a}\n    expect: {status: 200, json: {ok: 1}}\n  - name: unrecorded\n    request: {path: /test/proxy/b}\n    expect: {status: 502}\n' \
    >"$work/replay.yaml"
vg "test replay" test specs/tests/http.yaml --overlay "$work/http-overlay.yaml" "$work/replay.yaml" \
    --replay "$work/rec"

# 3. serve: petstore on the plain host, echo.yaml by its API id, a mix of requests, and
# a --watch reload halfway (petstore is served from a copy the script edits); chain.yaml
# brings the simulated SQS/SNS (declared queues and topic, an event source, an SQS
# service integration), reached through the API, the AWS protocols and /_gatehouse/.
cp -R examples/petstore "$work/petstore"
: >"$work/serve.out" # the background job may open it after the first look below
: >"$work/serve.err"
runs=$((runs + 1))
log="$work/serve.log"
valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=$VG_EXIT --log-file="$log" \
    "$bin" serve "$work/petstore/api.yaml" specs/tests/echo.yaml specs/tests/nonproxy.yaml examples/auth/api.yaml \
    specs/tests/chain.yaml \
    --port 0 --host 127.0.0.1 --threads 8 --watch >"$work/serve.out" 2>"$work/serve.err" &
server=$!
port=""
i=0
while [ $i -lt 600 ]; do # 60 s: valgrind starts slowly
    port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$work/serve.out" || true)
    [ -n "$port" ] && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
    i=$((i + 1))
done
if [ -z "$port" ]; then
    echo "FAIL serve: did not start" >&2
    cat "$log" "$work/serve.err" >&2
    exit 1
fi

echo_host="Host: echotest01.execute-api.localhost"
# req EXPECTED_STATUS METHOD PATH [curl args...]
req() {
    want=$1 method=$2 path=$3
    shift 3
    got=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -X "$method" "$@" \
        "http://127.0.0.1:$port$path") || got="curl-error"
    if [ "$got" != "$want" ]; then
        echo "FAIL serve: $method $path $*: status $got, want $want" >&2
        failures=$((failures + 1))
    fi
}
req 200 GET /dev/pets
req 201 POST /dev/pets -H 'Content-Type: application/json' -d '{"type":"dog","price":300}'
req 200 GET /dev/pets/1
req 404 GET /dev/pets/999
req 400 POST /dev/pets -H 'Content-Type: application/json' -d '{"type":'
req 204 DELETE /dev/pets/1
req 200 OPTIONS /dev/pets -H 'Origin: http://example.com' -H 'Access-Control-Request-Method: POST'
req 200 OPTIONS /dev/pets/2 -H 'Origin: http://example.com'
echo "# edited by tests/valgrind.sh" >>"$work/petstore/api.yaml"
i=0
while ! grep -q 'reloaded (generation 2)' "$work/serve.err" && [ $i -lt 300 ]; do
    sleep 0.1
    i=$((i + 1))
done
if ! grep -q 'reloaded (generation 2)' "$work/serve.err"; then
    echo "FAIL serve: no reload within 30 s of an edit" >&2
    failures=$((failures + 1))
fi
req 200 GET /dev/health
req 200 GET /dev/version
req 200 GET '/dev/anything/else?x=1&x=2'
req 403 GET /nostage/pets
req 200 PATCH /dev/pets # falls to ANY /{proxy+}
req 200 GET '/default/echo/a%2Fb?q=%20' -H "$echo_host" -H 'Cookie: a=b'
req 200 POST /default/echo/bin -H "$echo_host" -H 'Content-Type: application/octet-stream' --data-binary @"$event"
req 502 GET /default/boom -H "$echo_host"
req 502 GET '/default/shape?case=extra' -H "$echo_host"
req 200 GET '/default/shape?case=mvh' -H "$echo_host"
req 500 GET /default/ghost -H "$echo_host"
req 200 GET /default/items/special -H "$echo_host"
req 200 GET /default/util -H "$echo_host"
req 403 GET /default/nothing -H "$echo_host"
# mapping templates: non-proxy Lambda, selectionPattern, passthrough, 415, VTL mock,
# Lua templates, a gateway response template, a body that is not JSON
np_host="Host: nonproxy01.execute-api.localhost"
json_ct="Content-Type: application/json"
req 200 GET /default/pets/42 -H "$np_host"
req 404 GET /default/pets/7 -H "$np_host"
req 201 POST /default/pets -H "$np_host" -H "$json_ct" -d '{"name":"tom"}'
req 400 POST /default/pets -H "$np_host" -H "$json_ct" -d '{}'
req 400 POST /default/pets -H "$np_host" -H "$json_ct" -d 'a=1&b=2'
req 415 POST /default/pets -H "$np_host" -H 'Content-Type: application/xml' -d '<a/>'
req 200 GET /default/mock/42 -H "$np_host"
req 404 GET /default/mock/7 -H "$np_host"
req 200 GET '/default/lua/42?greet=hi' -H "$np_host"
req 403 GET /default/nowhere -H "$np_host"
# authorization (examples/auth): Lua TOKEN and REQUEST authorizers, Cognito, IAM, the
# resource policy
au="Host: notes00001.execute-api.localhost"
req 401 GET /dev/notes -H "$au"
req 200 GET /dev/notes -H "$au" -H 'Authorization: allow-alice'
req 200 GET /dev/notes/7 -H "$au" -H 'Authorization: allow-alice'
req 403 GET /dev/notes -H "$au" -H 'Authorization: deny-bob'
req 401 GET /dev/notes -H "$au" -H 'Authorization: fail-bob'
req 500 GET /dev/notes -H "$au" -H 'Authorization: broken-bob'
req 200 GET '/dev/reports?tenant=acme' -H "$au" -H 'X-User: u1'
req 403 GET '/dev/reports?tenant=other' -H "$au" -H 'X-User: u1'
id_token=$("$bin" token examples/auth/api.yaml --pool us-east-1_Notes0001 --user alice)
req 200 GET /dev/me -H "$au" -H "Authorization: $id_token"
req 401 GET /dev/admin -H "$au" -H "Authorization: $id_token"
req 401 GET /dev/me -H "$au" -H "Authorization: ${id_token}x"
req 403 GET /dev/signed -H "$au"
req 403 GET /dev/signed -H "$au" -H 'Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=00' -H 'X-Amz-Date: 20150830T123600Z'
req 403 GET /dev/internal -H "$au"
req 200 GET /dev/internal -H "$au" -H 'X-Gatehouse-Source-Vpce: vpce-0notes000example'

# simulated SQS/SNS (specs/tests/chain.yaml): the SQS integration, whose message the
# event source hands to a Lua Lambda that publishes to SNS; SendMessage (JSON protocol)
# and ReceiveMessage (query protocol) as AWS clients send them; SNS Publish; the admin
# API and the queues/topics commands
ch="Host: chaintest1.execute-api.localhost"
qurl="http://127.0.0.1:$port/123456789012/shipped"
req 200 POST /default/orders -H "$ch" -H "$json_ct" -d '{"id":7}'
req 200 POST / -H 'X-Amz-Target: AmazonSQS.SendMessage' -H 'Content-Type: application/x-amz-json-1.0' \
    -d "{\"QueueUrl\":\"$qurl\",\"MessageBody\":\"hello\"}"
req 400 POST / -H 'X-Amz-Target: AmazonSQS.SendMessage' -H 'Content-Type: application/x-amz-json-1.0' \
    -d '{"QueueUrl":"http://127.0.0.1/1/nope","MessageBody":"x"}'
req 200 POST / -d "Action=ReceiveMessage&QueueUrl=$qurl&MaxNumberOfMessages=10&WaitTimeSeconds=1"
req 200 POST / -d 'Action=Publish&TopicArn=arn:aws:sns:us-east-1:123456789012:order-events&Message=hi'
req 200 GET /_gatehouse/health
req 200 GET /_gatehouse/queues
req 200 GET '/_gatehouse/queues/shipped/messages?max=5'
req 200 POST /_gatehouse/queues/orders/messages -d '{"id":8}'
req 404 GET /_gatehouse/queues/nope
req 405 PUT /_gatehouse/queues/shipped/messages
req 200 GET /_gatehouse/topics
req 200 DELETE /_gatehouse/queues/audit-log/messages
vg "queues" queues --url "http://127.0.0.1:$port"
vg "queues shipped --peek" queues shipped --peek 3 --url "http://127.0.0.1:$port"
vg "topics --json" topics --json --url "http://127.0.0.1:$port"

kill -TERM "$server"
set +e
i=0
while kill -0 "$server" 2>/dev/null && [ $i -lt 600 ]; do
    sleep 0.1
    i=$((i + 1))
done
if kill -0 "$server" 2>/dev/null; then
    echo "FAIL serve: still running 60 s after SIGTERM" >&2
    failures=$((failures + 1))
fi
wait "$server"
rc=$?
set -e
server=""
if [ "$rc" -ne 0 ] || [ -s "$log" ]; then
    echo "FAIL serve: exit $rc (want 0)" >&2
    cat "$log" >&2
    tail -n 40 "$work/serve.err" >&2
    failures=$((failures + 1))
fi

# 4. WebSocket (tests/data/websocket-e2e): handshakes refused by $connect and by the
# authorizer, routed, fragmented, one-way and failing messages, a ping, @connections
# POST/GET/DELETE, closes from the client and by DELETE, and a connection still open
# when SIGTERM stops the server (closed with 1001, $disconnect run). tests/ws_session.py
# drives it and checks every answer.
runs=$((runs + 1))
log="$work/ws.log"
: >"$work/ws.out"
: >"$work/ws.err"
valgrind -q --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=$VG_EXIT --log-file="$log" \
    "$bin" serve tests/data/websocket-e2e/api.yaml --port 0 --host 127.0.0.1 --threads 8 \
    >"$work/ws.out" 2>"$work/ws.err" &
server=$!
port=""
i=0
while [ $i -lt 600 ]; do
    port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9][0-9]*\)$|\1|p' "$work/ws.out" || true)
    [ -n "$port" ] && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
    i=$((i + 1))
done
if [ -z "$port" ]; then
    echo "FAIL ws serve: did not start" >&2
    cat "$log" "$work/ws.err" >&2
    exit 1
fi
python3 tests/ws_session.py "$port" >"$work/ws-client.out" 2>"$work/ws-client.err" &
client=$!
i=0
while ! grep -q '^ok$' "$work/ws-client.out" && kill -0 "$client" 2>/dev/null && [ $i -lt 1200 ]; do
    sleep 0.1
    i=$((i + 1))
done
kill -TERM "$server"
set +e
wait "$client"
crc=$?
i=0
while kill -0 "$server" 2>/dev/null && [ $i -lt 600 ]; do
    sleep 0.1
    i=$((i + 1))
done
if kill -0 "$server" 2>/dev/null; then
    echo "FAIL ws serve: still running 60 s after SIGTERM" >&2
    failures=$((failures + 1))
fi
wait "$server"
rc=$?
set -e
server=""
if [ "$crc" -ne 0 ]; then
    echo "FAIL ws session: exit $crc" >&2
    cat "$work/ws-client.err" >&2
    tail -n 40 "$work/ws.out" >&2
    failures=$((failures + 1))
fi
# $disconnect ran once for each of the three connections that opened.
if [ "$(grep -c '^WS DISCONNECT' "$work/ws.out")" -ne 3 ]; then
    echo "FAIL ws serve: want 3 \$disconnect runs" >&2
    grep '^WS ' "$work/ws.out" >&2
    failures=$((failures + 1))
fi
if [ "$rc" -ne 0 ] || [ -s "$log" ]; then
    echo "FAIL ws serve: exit $rc (want 0)" >&2
    cat "$log" >&2
    tail -n 40 "$work/ws.err" >&2
    failures=$((failures + 1))
fi

echo "valgrind: $((runs - failures)) passed, $failures failed"
[ "$failures" -eq 0 ]
