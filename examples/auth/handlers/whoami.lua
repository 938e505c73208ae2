-- notes-whoami: answers with what the authorization phase handed the function, so each
-- authorizer's effect is visible: requestContext.authorizer and requestContext.identity.
local json = require("gatehouse").json

return function(event)
  local rc = event.requestContext
  return {
    statusCode = 200,
    headers = {["Content-Type"] = "application/json"},
    body = json.encode({
      resourcePath = rc.resourcePath,
      authorizer = rc.authorizer,
      identity = {
        accessKey = rc.identity.accessKey,
        accountId = rc.identity.accountId,
        caller = rc.identity.caller,
        user = rc.identity.user,
        userArn = rc.identity.userArn,
      },
    }),
  }
end
