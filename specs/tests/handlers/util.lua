-- Exercises the gatehouse module and the sandbox, answering what it saw as JSON.
local gatehouse = require("gatehouse")
local json = gatehouse.json

return function(event, context)
  local decoded = json.decode('{"a": [1, 2, 3], "b": null, "c": "x"}')
  local id = gatehouse.uuid()
  -- A binary chunk must not load (text-only mode); string.dump may be absent altogether.
  local bin_ok = false
  local dumped, chunk = pcall(function() return string.dump(function() return 1 end) end)
  if dumped and type(load) == "function" then
    bin_ok = load(chunk) ~= nil
  end
  return {
    statusCode = 200,
    headers = {["Content-Type"] = "application/json"},
    body = json.encode({
      base64_encode = gatehouse.base64.encode("hello, world"),
      base64_decode = gatehouse.base64.decode("aGk="),
      url_decode = gatehouse.url.decode("a%20b%26c"),
      url_roundtrip = gatehouse.url.decode(gatehouse.url.encode("a b&c/d?e=f")),
      uuid = id,
      now_is_number = type(gatehouse.now()) == "number",
      json_a2 = decoded.a[2],
      -- A null member reads as nil (so `if event.body then` works) and is written back
      -- as null; in arrays a null is json.null, since nil would end the sequence.
      json_b_is_null = decoded.b == nil and json.encode(decoded):find('"b":null', 1, true) ~= nil
        and json.decode("[null]")[1] == json.null,
      json_c = decoded.c,
      io = type(io),
      os_execute = type(os.execute),
      binary_chunk_loaded = bin_ok,
    }),
  }
end
