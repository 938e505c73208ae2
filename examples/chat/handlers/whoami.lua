-- chat-whoami: a two-way route (routeResponse: true): the body of the result goes back
-- to the caller as one text frame.
local gatehouse = require("gatehouse")

return function(event)
  local ctx = event.requestContext
  return {
    statusCode = 200,
    body = gatehouse.json.encode({
      name = ctx.authorizer and ctx.authorizer.name,
      connectionId = ctx.connectionId,
      online = #gatehouse.connections.list(ctx.stage),
    }),
  }
end
