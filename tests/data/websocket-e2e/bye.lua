-- $disconnect: every event it gets is filed on the queue `disconnects`.
local gh = require("gatehouse")
return function(event)
  local rc = event.requestContext
  gh.sqs.send("disconnects", table.concat({rc.connectionId, rc.eventType, rc.routeKey,
    tostring(rc.disconnectStatusCode), rc.disconnectReason or "-"}, "|"))
end
