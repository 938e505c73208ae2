-- The non-proxy Lua Lambda of the load test: the request template's event in, a small
-- table out (the response template maps it to the method response body).
return function(event, context)
  return {hello = "lambda", id = event.id, tags = {"a", "b"}}
end
