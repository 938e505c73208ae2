-- $connect REQUEST authorizer: the Auth header picks the answer.
return function(event)
  local tok = event.headers.Auth
  if tok == "boom" then error("authorizer exploded") end
  if tok == "nope" then error("Unauthorized") end
  if tok == "junk" then return {principalId = "x"} end
  local q = event.queryStringParameters or {}
  return {
    principalId = "user-" .. tok,
    policyDocument = {Version = "2012-10-17", Statement = {{
      Action = "execute-api:Invoke", Effect = tok == "deny" and "Deny" or "Allow",
      Resource = event.methodArn}}},
    -- One key: what the event carried, in one string (Lua tables keep no order).
    context = {seen = table.concat({event.type, event.methodArn, event.stageVariables.tier,
      event.requestContext.routeKey, event.requestContext.eventType,
      event.headers.Upgrade or "-", q.room or "-"}, "|")},
  }
end
