-- chat-auth: the REQUEST authorizer of $connect (examples/chat/api.yaml). The token is
-- the `token` query string (wscat -c 'ws://127.0.0.1:8080/dev?token=alice-token'); a
-- known token lets its member in, anything else is denied (the handshake gets 403). The
-- name goes into the context, so every later event of the connection carries it in
-- requestContext.authorizer.name, as AWS passes a $connect authorizer's context on.
local members = {
  ["alice-token"] = "alice",
  ["bob-token"] = "bob",
  ["carol-token"] = "carol",
}

return function(event)
  local token = (event.queryStringParameters or {}).token
  local name = members[token]
  return {
    principalId = name or "anonymous",
    policyDocument = {
      Version = "2012-10-17",
      Statement = {{
        Action = "execute-api:Invoke",
        Effect = name and "Allow" or "Deny",
        Resource = event.methodArn,
      }},
    },
    context = {name = name},
  }
end
