-- $disconnect: what the event carried goes to the queue `seen`.
local gh = require("gatehouse")
return function(event)
  local rc = event.requestContext
  local az = rc.authorizer
  gh.sqs.send("seen", table.concat({rc.eventType, rc.routeKey, rc.disconnectStatusCode,
    rc.disconnectReason, rc.connectionId, rc.stage, az and az.principalId or "-",
    tostring(event.body), event.headers.Host}, "|"))
end
