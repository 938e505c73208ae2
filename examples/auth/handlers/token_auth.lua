-- notes-token-auth: a TOKEN authorizer. The token (the Authorization header, already
-- checked against identityValidationExpression) is VERB-USER:
--   allow-USER   Allow on every method of the stage (a wildcard resource: safe to cache)
--   narrow-USER  Allow on exactly event.methodArn: the classic mistake; with caching on,
--                the next call to another path reuses this policy and gets a 403
--   deny-USER    an explicit Deny
--   fail-USER    error("Unauthorized"): 401, as a Node authorizer's Error("Unauthorized")
--   broken-USER  a context value that is a table: AWS answers 500
local function policy(effect, resource)
  return {
    Version = "2012-10-17",
    Statement = {{Action = "execute-api:Invoke", Effect = effect, Resource = resource}},
  }
end

return function(event)
  local verb, user = event.authorizationToken:match("^(%a+)-(%a+)$")
  -- arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH -> API/STAGE/*
  local base, stage = event.methodArn:match("^(arn:aws:execute%-api:[^:]+:[^:]+:[^/]+)/([^/]+)/")
  local everything = base .. "/" .. stage .. "/*"
  if verb == "fail" then
    error("Unauthorized")
  end
  local result = {
    principalId = user,
    context = {tier = user == "alice" and "gold" or "basic", quota = 5, beta = true},
  }
  if verb == "allow" then
    result.policyDocument = policy("Allow", everything)
  elseif verb == "narrow" then
    result.policyDocument = policy("Allow", event.methodArn)
  elseif verb == "deny" then
    result.policyDocument = policy("Deny", everything)
  elseif verb == "broken" then
    result.policyDocument = policy("Allow", everything)
    result.context.nested = {not_allowed = true}
  end
  return result
end
