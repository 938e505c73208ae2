-- $connect: ?deny=1 refuses with 400; a client offering subprotocols gets `json` when it
-- offered it (and ?noproto=1 is absent), else no Sec-WebSocket-Protocol at all.
return function(event)
  local q = event.queryStringParameters or {}
  if q.deny == "1" then
    return {statusCode = 400, headers = {["X-Why"] = "denied"}, body = "denied by $connect"}
  end
  local headers = {}
  local offered = event.headers["Sec-WebSocket-Protocol"]
  if offered and not q.noproto and offered:find("json", 1, true) then
    headers["Sec-WebSocket-Protocol"] = "json"
  end
  return {statusCode = 200, headers = headers}
end
