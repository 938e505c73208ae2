-- Reads the function's environment (x-gatehouse functions.env.environment).
return function(event, context)
  return {statusCode = 200, headers = {["Content-Type"] = "text/plain"},
          body = tostring(os.getenv("GREETING"))}
end
