// The AWS SDK for JavaScript v3 (@aws-sdk/client-sqs, @aws-sdk/client-sns) against a
// running `gatehouse serve`: queues, messages, SNS fan-out through a filter policy and
// redrive to a dead-letter queue, each step asserted. The SDK speaks SQS's JSON protocol
// and checks every MD5 it is sent, so a wrong digest fails here as it would against AWS.
//   node sqs_sns.mjs http://127.0.0.1:PORT
// Prints "ok - STEP" per step; exits 1 at the first failure (with what was expected).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  SQSClient, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand,
  DeleteMessageCommand, GetQueueAttributesCommand, DeleteQueueCommand, ListQueuesCommand,
  QueueDoesNotExist,
} from "@aws-sdk/client-sqs";
import {
  SNSClient, CreateTopicCommand, SubscribeCommand, PublishCommand,
} from "@aws-sdk/client-sns";

const endpoint = process.argv[2] || process.env.GH_ENDPOINT;
if (!endpoint) {
  console.error("usage: node sqs_sns.mjs http://127.0.0.1:PORT");
  process.exit(2);
}
// Any credentials do: gatehouse does not check signatures.
const config = {
  endpoint, region: "us-east-1", maxAttempts: 1,
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
};
const sqs = new SQSClient(config);
const sns = new SNSClient(config);
const tag = `${process.pid}`;

async function step(name, fn) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (e) {
    console.log(`not ok - ${name}`);
    console.error(e && e.stack ? e.stack : e);
    process.exit(1);
  }
}

async function queue(name, attributes) {
  const out = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  assert.match(out.QueueUrl, new RegExp(`/123456789012/${name.replace(".", "\\.")}$`));
  return out.QueueUrl;
}

async function arnOf(url) {
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }));
  return out.Attributes.QueueArn;
}

async function receive(url, extra = {}) {
  const out = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ["All"],
    MessageSystemAttributeNames: ["All"], ...extra,
  }));
  return out.Messages || [];
}

let work;
let sentId;
await step("create queue", async () => {
  work = await queue(`sdk-work-${tag}`);
  const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: `sdk-work-${tag}` }));
  assert.deepEqual(listed.QueueUrls, [work]);
});

await step("send message with an attribute (the SDK checks both MD5s)", async () => {
  const out = await sqs.send(new SendMessageCommand({
    QueueUrl: work, MessageBody: "hello from the SDK",
    MessageAttributes: { kind: { DataType: "String", StringValue: "greeting" } },
  }));
  assert.equal(out.MD5OfMessageBody, createHash("md5").update("hello from the SDK").digest("hex"));
  assert.match(out.MessageId, /^[0-9a-f-]{36}$/);
  sentId = out.MessageId;
});

let handle;
await step("receive it with its attributes", async () => {
  const msgs = await receive(work);
  assert.equal(msgs.length, 1);
  const m = msgs[0];
  assert.equal(m.MessageId, sentId);
  assert.equal(m.Body, "hello from the SDK");
  assert.equal(m.MessageAttributes.kind.StringValue, "greeting");
  assert.equal(m.MessageAttributes.kind.DataType, "String");
  assert.equal(m.Attributes.ApproximateReceiveCount, "1");
  assert.equal(m.Attributes.SenderId, "123456789012");
  handle = m.ReceiptHandle;
});

await step("delete it; the queue is empty", async () => {
  await sqs.send(new DeleteMessageCommand({ QueueUrl: work, ReceiptHandle: handle }));
  const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: work, AttributeNames: ["All"] }));
  assert.equal(out.Attributes.ApproximateNumberOfMessages, "0");
  assert.equal(out.Attributes.ApproximateNumberOfMessagesNotVisible, "0");
  assert.deepEqual(await receive(work), []);
});

let topicArn;
let inbox;
let raw;
await step("create topic, subscribe a queue with a filter policy and one raw", async () => {
  topicArn = (await sns.send(new CreateTopicCommand({ Name: `sdk-news-${tag}` }))).TopicArn;
  assert.equal(topicArn, `arn:aws:sns:us-east-1:123456789012:sdk-news-${tag}`);
  inbox = await queue(`sdk-inbox-${tag}`);
  raw = await queue(`sdk-raw-${tag}`);
  const sub = await sns.send(new SubscribeCommand({
    TopicArn: topicArn, Protocol: "sqs", Endpoint: await arnOf(inbox), ReturnSubscriptionArn: true,
    Attributes: { FilterPolicy: JSON.stringify({ color: ["red"] }) },
  }));
  assert.ok(sub.SubscriptionArn.startsWith(`${topicArn}:`));
  await sns.send(new SubscribeCommand({
    TopicArn: topicArn, Protocol: "sqs", Endpoint: await arnOf(raw),
    Attributes: { RawMessageDelivery: "true" },
  }));
});

let redId;
await step("publish a matching and a non-matching message", async () => {
  const attr = (v) => ({ color: { DataType: "String", StringValue: v } });
  const blue = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "blue one", MessageAttributes: attr("blue") }));
  assert.match(blue.MessageId, /^[0-9a-f-]{36}$/);
  const red = await sns.send(new PublishCommand({
    TopicArn: topicArn, Message: "red one", Subject: "paint", MessageAttributes: attr("red"),
  }));
  redId = red.MessageId;
});

await step("the filtered queue receives only the red one, in SNS's envelope", async () => {
  const msgs = await receive(inbox, { WaitTimeSeconds: 1 });
  assert.equal(msgs.length, 1);
  const env = JSON.parse(msgs[0].Body);
  assert.equal(env.Type, "Notification");
  assert.equal(env.MessageId, redId);
  assert.equal(env.TopicArn, topicArn);
  assert.equal(env.Subject, "paint");
  assert.equal(env.Message, "red one");
  assert.equal(env.SignatureVersion, "1");
  assert.match(env.Timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.deepEqual(env.MessageAttributes, { color: { Type: "String", Value: "red" } });
  assert.deepEqual(Object.keys(env), ["Type", "MessageId", "TopicArn", "Subject", "Message",
    "Timestamp", "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"]);
});

await step("the raw subscription receives both bare messages with SQS attributes", async () => {
  const msgs = await receive(raw, { WaitTimeSeconds: 1 });
  assert.deepEqual(msgs.map((m) => m.Body), ["blue one", "red one"]);
  assert.deepEqual(msgs.map((m) => m.MessageAttributes.color.StringValue), ["blue", "red"]);
});

await step("after maxReceiveCount receives the message moves to the dead-letter queue", async () => {
  const dead = await queue(`sdk-dead-${tag}`);
  const retry = await queue(`sdk-retry-${tag}`, {
    VisibilityTimeout: "0",
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await arnOf(dead), maxReceiveCount: 2 }),
  });
  const id = (await sqs.send(new SendMessageCommand({ QueueUrl: retry, MessageBody: "poison" }))).MessageId;
  for (const count of ["1", "2"]) {
    const msgs = await receive(retry);
    assert.equal(msgs.length, 1);
    assert.equal(msgs[0].Attributes.ApproximateReceiveCount, count);
  }
  assert.deepEqual(await receive(retry), []);
  const moved = await receive(dead);
  assert.equal(moved.length, 1);
  assert.equal(moved[0].MessageId, id);
  assert.equal(moved[0].Body, "poison");
  assert.equal(moved[0].Attributes.DeadLetterQueueSourceArn, await arnOf(retry));
});

await step("errors are AWS's exceptions", async () => {
  await sqs.send(new DeleteQueueCommand({ QueueUrl: work }));
  await assert.rejects(sqs.send(new ReceiveMessageCommand({ QueueUrl: work })),
    (e) => e instanceof QueueDoesNotExist && e.$metadata.httpStatusCode === 400);
});

console.log("all steps passed");
