-- Message routes: the answer says which route ran, what it got and for whom.
return function(event)
  local rc = event.requestContext
  local az = rc.authorizer
  return {statusCode = 200, body = table.concat({rc.routeKey, rc.eventType, event.body,
    tostring(event.isBase64Encoded), az and az.principalId or "-", rc.connectionId}, "|")}
end
