-- notes-request-auth: a REQUEST authorizer. The identity is the X-User header and the
-- tenant query string; only the "acme" tenant is let in.
return function(event)
  local user = event.headers["X-User"] or event.headers["x-user"]
  local tenant = event.queryStringParameters.tenant
  local effect = tenant == "acme" and "Allow" or "Deny"
  return {
    principalId = user .. "@" .. tenant,
    policyDocument = {
      Version = "2012-10-17",
      Statement = {{Action = "execute-api:Invoke", Effect = effect, Resource = event.methodArn}},
    },
    context = {tenant = tenant, stage = event.stageVariables.stageName},
  }
end
