-- A Lua mock (x-gatehouse-mock): gets the proxy event as `request`, returns the response.
local gatehouse = require("gatehouse")

return function(request, context)
  return {
    statusCode = 200,
    headers = {["Content-Type"] = "application/json"},
    body = gatehouse.json.encode({
      api = "petstore",
      version = "1.0.0",
      stage = request.requestContext.stage,
    }),
  }
end
