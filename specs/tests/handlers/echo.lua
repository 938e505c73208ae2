-- Returns the proxy event and a few context fields as the JSON body.
local gatehouse = require("gatehouse")

return function(event, context)
  local remaining = context.getRemainingTimeInMillis
  if type(remaining) == "function" then
    remaining = remaining(context)
  end
  return {
    statusCode = 200,
    headers = {["Content-Type"] = "application/json"},
    body = gatehouse.json.encode({
      event = event,
      context = {
        functionName = context.functionName,
        awsRequestId = context.awsRequestId,
        remainingTimeInMillis = remaining,
      },
    }),
  }
end
