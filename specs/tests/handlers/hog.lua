-- Allocates without bound (well, up to 512 MiB): the per-state memory cap must stop it.
return function(event, context)
  local keep = {}
  for i = 1, 512 * 1024 do
    keep[i] = string.rep("x", 1024) .. i
  end
  return {statusCode = 200, body = tostring(#keep)}
end
