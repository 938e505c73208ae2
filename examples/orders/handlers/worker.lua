-- The Lambda behind the `orders` event source (examples/orders/api.yaml). Each record's
-- body is an order as POST /orders received it: {"orderId", "customer", "items":
-- [{"sku", "price", "qty"}]}. A good order is priced and published to `order-events`
-- with its total and customer as message attributes, which the `big-orders` filter
-- policy reads. An order without items fails: reported in batchItemFailures (the
-- event source sets ReportBatchItemFailures), so only it stays on the queue and, after
-- its third failed receive, moves to `orders-dlq`.
local gatehouse = require("gatehouse")

local function price(order)
  if type(order.items) ~= "table" or #order.items == 0 then
    error("order " .. tostring(order.orderId) .. " has no items", 0)
  end
  local total = 0
  for _, item in ipairs(order.items) do
    total = total + item.price * (item.qty or 1)
  end
  -- 250.0 and 250 are the same total; publish the integer form when there is one.
  return math.tointeger(total) or total
end

return function(event, context)
  local failures = {}
  for _, record in ipairs(event.Records) do
    local ok, err = pcall(function()
      local order = gatehouse.json.decode(record.body)
      local total = price(order)
      gatehouse.sns.publish("order-events", gatehouse.json.encode({
        orderId = order.orderId,
        customer = order.customer,
        total = total,
        status = "accepted",
      }), {
        subject = "order " .. order.orderId .. " accepted",
        attributes = {total = total, customer = order.customer},
      })
    end)
    if not ok then
      gatehouse.log("worker: " .. err .. " (receive " ..
                    record.attributes.ApproximateReceiveCount .. " of " .. record.messageId .. ")")
      failures[#failures + 1] = {itemIdentifier = record.messageId}
    end
  end
  return {batchItemFailures = failures}
end
