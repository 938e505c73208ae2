-- $connect: ?refuse=CODE answers that status, ?boom raises; a requested subprotocol is
-- chosen. The body names who the authorizer let in.
return function(event)
  local q = event.queryStringParameters or {}
  if q.boom then error("connect exploded") end
  local az = event.requestContext.authorizer
  local who = az and az.principalId or "anon"
  if q.refuse then
    return {statusCode = tonumber(q.refuse), headers = {["X-Why"] = "refused"}, body = "no " .. who}
  end
  local headers = {}
  if event.headers["Sec-WebSocket-Protocol"] then headers["Sec-WebSocket-Protocol"] = "chat" end
  return {statusCode = 200, headers = headers, body = who}
end
