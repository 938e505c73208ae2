-- A non-proxy (type aws) Lambda: the event is what the request template rendered, and
-- the result is the integration response body. error("NotFound: ...") reaches the
-- integration responses as errorMessage "NotFound: pet <id>" (the position Lua adds goes
-- to stackTrace), which selectionPattern "NotFound:.*" maps to 404.
local pets = {
  ["42"] = { id = 42, name = "rex", tags = { "good", "dog" } },
}

return function(event, context)
  local pet = pets[tostring(event.id)]
  if not pet then
    error("NotFound: pet " .. tostring(event.id))
  end
  return { id = pet.id, name = pet.name, tags = pet.tags, stage = event.stage }
end
