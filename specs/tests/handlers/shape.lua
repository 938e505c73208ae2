-- Returns the response shape named by ?case=..., to check AWS's proxy response rules
-- (set-up-lambda-proxy-integrations: output format; 502 on a malformed response).
local shapes = {
  min = function() return {statusCode = 200} end,
  strstatus = function() return {statusCode = "201", body = "created"} end,
  badstatus = function() return {statusCode = "test"} end,
  nostatus = function() return {headers = {a = "b"}, body = "no status"} end,
  extra = function() return {statusCode = 200, body = "x", extra = 1} end,
  string = function() return "just a string" end,
  none = function() return nil end,
  mvh = function() return {statusCode = 200, multiValueHeaders = {["X-Multi"] = {"1", "2"}}, body = ""} end,
  merge = function()
    return {statusCode = 200, headers = {["X-Dup"] = "solo"},
            multiValueHeaders = {["x-dup"] = {"m1", "m2"}}, body = ""}
  end,
  mvbad = function() return {statusCode = 200, multiValueHeaders = {["X-Bad"] = "not-a-list"}} end,
  boolheader = function() return {statusCode = 200, headers = {["X-Flag"] = true}, body = ""} end,
  teapot = function() return {statusCode = 418, headers = {["Content-Type"] = "text/plain"}, body = "short and stout"} end,
}

return function(event, context)
  local q = event.queryStringParameters
  local pick = q and shapes[q.case]
  if not pick then
    return {statusCode = 400, body = "unknown case"}
  end
  return pick()
end
