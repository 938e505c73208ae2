-- Deliberately broken (line 4 has no `end` for the function): used by broken-lua.yaml.
return function(event, context)
  local x = 1
  if x == 1 then
    return {statusCode = 200}
