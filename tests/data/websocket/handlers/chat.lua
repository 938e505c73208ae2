-- Test handler for tests/data/websocket: answers every route with its key.
return function(event)
  return {statusCode = 200, body = event.requestContext.routeKey}
end
