-- chat-help: $default, for a message whose action names no route (or that is not JSON):
-- a two-way route answering the help text.
return function()
  return {
    statusCode = 200,
    body = 'Unknown action. Send {"action":"sendmessage","text":"..."} to talk to the ' ..
      'room, or {"action":"whoami"}.',
  }
end
