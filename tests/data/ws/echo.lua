-- Message routes: the message's `want` picks the result's shape; by default the body
-- says what the event carried.
local json = require("gatehouse").json
return function(event)
  local rc = event.requestContext
  local ok, msg = pcall(json.decode, event.body)
  local want = ok and type(msg) == "table" and msg.want or nil
  if want == "string" then return "just text" end
  if want == "nil" then return nil end
  if want == "nobody" then return {statusCode = 200} end
  if want == "table" then return {answer = 42} end
  if want == "status500" then return {statusCode = 500, body = "still sent"} end
  local az = rc.authorizer
  return {statusCode = 200, body = table.concat({rc.routeKey, rc.eventType, event.body,
    tostring(event.isBase64Encoded), az and az.principalId or "-",
    az and az.seen and "seen" or "-", #rc.messageId, rc.connectionId}, "|")}
end
