-- Subscribed to order-events in specs/tests/chain.yaml: files the SNS record it got (the
-- Lambda event SNS sends) on the queue audit-log.
local gatehouse = require("gatehouse")

return function(event, context)
  local r = event.Records[1]
  gatehouse.sqs.send("audit-log", gatehouse.json.encode({
    eventSource = r.EventSource,
    eventVersion = r.EventVersion,
    subscription = r.EventSubscriptionArn,
    type = r.Sns.Type,
    topic = r.Sns.TopicArn,
    subject = r.Sns.Subject,
    message = r.Sns.Message,
    records = #event.Records,
  }))
end
