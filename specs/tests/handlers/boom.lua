-- Raises: the client must get AWS's fixed 502 body, the log the traceback.
local function inner(n)
  error("kaboom " .. n)
end

return function(event, context)
  inner(42)
end
