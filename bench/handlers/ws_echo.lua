-- The WebSocket load test's $default route (bench/ws-api.yaml): a two-way route whose
-- answer is the message itself, so the run measures gatehouse, not the handler.
return function(event, context)
  return {statusCode = 200, body = event.body}
end
