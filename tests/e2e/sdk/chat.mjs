// examples/chat driven by real clients: three `ws` WebSocket clients and the AWS SDK for
// JavaScript v3's ApiGatewayManagementApi client, against `gatehouse serve
// examples/chat/api.yaml` (tests/e2e/test_chat_example.c starts it).
//   node chat.mjs http://127.0.0.1:PORT
// Prints "ok - STEP" per step and "all steps passed"; exits 1 at the first failure.
import assert from "node:assert/strict";
import WebSocket from "ws";
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";

const base = process.argv[2];
if (!base) {
  console.error("usage: node chat.mjs http://127.0.0.1:PORT");
  process.exit(2);
}
const wsBase = base.replace(/^http/, "ws");
const TIMEOUT_MS = 5000;

function step(name) {
  console.log(`ok - ${name}`);
}

// A client whose messages queue up from the start, so none is missed between awaits.
function connect(query, headers = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsBase}/dev${query}`, { headers });
    const inbox = [];
    const waiters = [];
    ws.on("message", (data) => {
      const text = data.toString();
      const w = waiters.shift();
      if (w) w(text);
      else inbox.push(text);
    });
    ws.next = () =>
      new Promise((res, rej) => {
        if (inbox.length) return res(inbox.shift());
        const timer = setTimeout(() => rej(new Error("no message within 5 s")), TIMEOUT_MS);
        waiters.push((t) => {
          clearTimeout(timer);
          res(t);
        });
      });
    ws.closed = new Promise((res) => ws.on("close", (code) => res(code)));
    ws.on("open", () => resolve(ws));
    ws.on("unexpected-response", (_req, res) => reject({ refused: res.statusCode }));
    ws.on("error", (e) => reject(e));
  });
}

async function refusedWith(query) {
  try {
    const ws = await connect(query);
    ws.close();
  } catch (e) {
    return e.refused;
  }
  return 101;
}

async function goneEventually(client, id) {
  // The server learns of a client's close asynchronously: ask until it answers 410.
  for (let i = 0; i < 50; i++) {
    try {
      await client.send(new PostToConnectionCommand({ ConnectionId: id, Data: "ping" }));
    } catch (e) {
      return e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`connection ${id} still open`);
}

async function main() {
  assert.equal(await refusedWith(""), 401);
  assert.equal(await refusedWith("?token=mallory"), 403);
  step("$connect refuses a missing token (401) and an unknown one (403)");

  const names = ["alice", "bob", "carol"];
  const clients = {};
  for (const n of names) {
    clients[n] = await connect(`?token=${n}-token`, { "User-Agent": `chat-e2e-${n}` });
  }
  const ids = {};
  for (const n of names) {
    clients[n].send(JSON.stringify({ action: "whoami" }));
    const me = JSON.parse(await clients[n].next());
    assert.equal(me.name, n);
    assert.equal(me.online, 3);
    assert.match(me.connectionId, /^[A-Za-z0-9_-]{15}=$/);
    ids[n] = me.connectionId;
  }
  step("three members connect; whoami answers each with its name and id");

  clients.alice.send(JSON.stringify({ action: "sendmessage", text: "hello room" }));
  for (const n of names) {
    assert.equal(await clients[n].next(), '{"from":"alice","text":"hello room"}');
  }
  step("sendmessage reaches all three");

  clients.bob.send("not json");
  assert.match(await clients.bob.next(), /^Unknown action\./);
  step("$default answers the help text");

  const api = new ApiGatewayManagementApiClient({
    endpoint: `${base}/dev`,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  });
  const post = await api.send(
    new PostToConnectionCommand({ ConnectionId: ids.bob, Data: new TextEncoder().encode("psst, bob") }),
  );
  assert.equal(post.$metadata.httpStatusCode, 200);
  assert.equal(await clients.bob.next(), "psst, bob");
  step("PostToConnection reaches bob");

  const got = await api.send(new GetConnectionCommand({ ConnectionId: ids.carol }));
  assert.ok(got.ConnectedAt instanceof Date && !isNaN(got.ConnectedAt));
  assert.ok(got.LastActiveAt instanceof Date && got.LastActiveAt >= got.ConnectedAt);
  assert.equal(got.Identity.SourceIp, "127.0.0.1");
  assert.equal(got.Identity.UserAgent, "chat-e2e-carol");
  step("GetConnection gives connectedAt, lastActiveAt and the identity");

  const del = await api.send(new DeleteConnectionCommand({ ConnectionId: ids.carol }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  assert.equal(await clients.carol.closed, 1000);
  try {
    await api.send(new GetConnectionCommand({ ConnectionId: ids.carol }));
    assert.fail("GetConnection after DeleteConnection succeeded");
  } catch (e) {
    assert.ok(e instanceof GoneException, `expected GoneException, got ${e.name}`);
    assert.equal(e.$metadata.httpStatusCode, 410);
  }
  step("DeleteConnection closes carol (1000); she is then GoneException");

  clients.alice.close();
  await clients.alice.closed;
  const e = await goneEventually(api, ids.alice);
  assert.ok(e instanceof GoneException, `expected GoneException, got ${e.name}`);
  clients.bob.send(JSON.stringify({ action: "whoami" }));
  assert.equal(JSON.parse(await clients.bob.next()).online, 1);
  step("after alice closes, posting to her raises GoneException");

  clients.bob.close();
  await clients.bob.closed;
  console.log("all steps passed");
}

main().catch((e) => {
  console.error("FAILED:", e && e.stack ? e.stack : e);
  process.exit(1);
});
