-- chat-send: {"action":"sendmessage","text":"..."} from a member goes to every member of
-- the room (every open connection of the stage, the sender included) as
-- {"from":NAME,"text":"..."}.
--
-- Who is in the room: on AWS a chat keeps its connection ids in a table (DynamoDB),
-- written by $connect and $disconnect, because a Lambda has no view of the connections.
-- Here the @connections hub is that table: gatehouse.connections.list(stage) gives the
-- ids of the open connections, shared by every Lua state (a Lua table would be one
-- state's only, and states are pooled). A connection that closed between the list and
-- the post answers GoneException, which a broadcast skips, as on AWS.
local gatehouse = require("gatehouse")

return function(event)
  local ctx = event.requestContext
  local ok, msg = pcall(gatehouse.json.decode, event.body)
  if not ok or type(msg) ~= "table" then
    return {statusCode = 400}
  end
  local from = ctx.authorizer and ctx.authorizer.name or ctx.connectionId
  local out = gatehouse.json.encode({from = from, text = tostring(msg.text or "")})
  for _, id in ipairs(gatehouse.connections.list(ctx.stage)) do
    local sent, err = pcall(gatehouse.connections.post, id, out)
    if not sent and not tostring(err):find("^GoneException") then
      error(err, 0)
    end
  end
  return {statusCode = 200}
end
