-- Never returns: the instruction-count hook must stop it at the function's timeout.
return function(event, context)
  local n = 0
  while true do
    n = n + 1
  end
end
