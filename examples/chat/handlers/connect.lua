-- chat-connect: $connect, after the authorizer let the member in. A 2xx opens the
-- connection; any other status would refuse the handshake with that status.
local gatehouse = require("gatehouse")

return function(event)
  local ctx = event.requestContext
  gatehouse.log("joined:", ctx.authorizer and ctx.authorizer.name, ctx.connectionId)
  return {statusCode = 200}
end
