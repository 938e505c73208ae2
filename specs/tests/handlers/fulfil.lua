-- The event source's function in specs/tests/chain.yaml: every order of the SQS batch is
-- announced on the topic order-events, with where it came from.
local gatehouse = require("gatehouse")

return function(event, context)
  for _, record in ipairs(event.Records) do
    local order = gatehouse.json.decode(record.body)
    gatehouse.sns.publish("order-events", gatehouse.json.encode({
      orderId = order.orderId,
      status = "fulfilled",
      source = record.eventSourceARN,
      receiveCount = record.attributes.ApproximateReceiveCount,
    }), {subject = "order " .. order.orderId})
  end
end
