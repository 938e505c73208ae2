-- The bench's REQUEST authorizer: allows the whole stage (a wildcard resource, so one
-- cached result serves every call with the same X-Token).
return function(event)
  local base = event.methodArn:match("^([^/]+/[^/]+)/")
  return {
    principalId = "bench",
    policyDocument = {
      Version = "2012-10-17",
      Statement = {{Action = "execute-api:Invoke", Effect = "Allow", Resource = base .. "/*"}},
    },
    context = {plan = "bench"},
  }
end
