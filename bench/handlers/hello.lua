-- The Lua Lambda of the load test: the smallest realistic proxy handler.
return function(event, context)
  return {
    statusCode = 200,
    headers = {["Content-Type"] = "application/json"},
    body = '{"hello": "lua"}',
  }
end
