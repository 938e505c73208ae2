-- Test $connect authorizer for tests/data/websocket: allows every connection.
return function(event)
  return {principalId = "user", policyDocument = {Version = "2012-10-17", Statement = {
    {Action = "execute-api:Invoke", Effect = "Allow", Resource = event.methodArn}}}}
end
