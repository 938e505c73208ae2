-- chat-disconnect: $disconnect, once per connection, after it closed (the client left,
-- DELETE @connections/{id}, or the idle timeout). The connection is already gone: it is
-- no longer in gatehouse.connections.list(), so nothing needs removing.
local gatehouse = require("gatehouse")

return function(event)
  local ctx = event.requestContext
  gatehouse.log("left:", ctx.authorizer and ctx.authorizer.name, ctx.connectionId,
    ctx.disconnectStatusCode, ctx.disconnectReason)
  return {statusCode = 200}
end
