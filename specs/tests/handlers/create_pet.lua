-- A non-proxy Lambda that validates its event (the request body, passed through by
-- $input.json('$')) and fails like a Node function throwing a typed error: both
-- errorMessage and errorType are chosen, so selectionPattern "BadRequest:.*" maps it
-- to 400 and the response template can print the type.
return function(event, context)
  if type(event) ~= "table" or type(event.name) ~= "string" or event.name == "" then
    error({ errorMessage = "BadRequest: name is required", errorType = "ValidationError" })
  end
  return { id = 7, name = event.name }
end
