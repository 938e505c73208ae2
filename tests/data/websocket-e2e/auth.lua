-- $connect REQUEST authorizer: ?token=deny is denied by policy, any other token allowed
-- as user-TOKEN. (No token at all never gets here: the identity source is missing.)
return function(event)
  local tok = event.queryStringParameters.token
  return {
    principalId = "user-" .. tok,
    policyDocument = {Version = "2012-10-17", Statement = {{
      Action = "execute-api:Invoke", Effect = tok == "deny" and "Deny" or "Allow",
      Resource = event.methodArn}}},
  }
end
