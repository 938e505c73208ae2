-- A module in the definition's folder, loaded by require("lib.greet") in test_script.
local M = {}
M.loads = (M.loads or 0) + 1
function M.hello(name)
  return "hello, " .. name
end
return M
