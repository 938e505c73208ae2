-- petstore-pets: the Lambda behind /pets and /pets/{petId} (Lambda proxy, payload 1.0).
-- The store lives in this Lua state's memory. gatehouse runs a small pool of states,
-- so each state has its own copy: a pet created on one may be missing on the next call.
-- That is also true of real Lambda (one store per warm container): keep real data in a
-- database; this is a demo.
local gatehouse = require("gatehouse")
local json = gatehouse.json

local pets = {
  [1] = {id = 1, type = "dog", price = 250},
  [2] = {id = 2, type = "cat", price = 125},
  [3] = {id = 3, type = "fish", price = 1},
}
local next_id = 4

local function reply(status, value, event)
  return {
    statusCode = status,
    headers = {
      ["Content-Type"] = "application/json",
      ["Access-Control-Allow-Origin"] = "*",
      -- The stage variable picks the table; a real handler would pass it to DynamoDB.
      ["X-Pets-Table"] = event.stageVariables and event.stageVariables.petsTable or "none",
    },
    body = value ~= nil and json.encode(value) or "",
  }
end

local function sorted_pets(kind)
  local list = {}
  for _, pet in pairs(pets) do
    if kind == nil or pet.type == kind then
      list[#list + 1] = pet
    end
  end
  table.sort(list, function(a, b) return a.id < b.id end)
  return list
end

return function(event, context)
  local method = event.httpMethod
  local id = event.pathParameters and tonumber(event.pathParameters.petId)
  gatehouse.log(method, event.path, "request", context.awsRequestId)

  if event.resource == "/pets" and method == "GET" then
    local q = event.queryStringParameters
    local list = sorted_pets(q and q.type or nil)
    if #list == 0 then
      -- An empty Lua table would encode as {}; the API promises an array.
      return {statusCode = 200, headers = {["Content-Type"] = "application/json",
              ["X-Pets-Table"] = event.stageVariables.petsTable}, body = "[]"}
    end
    return reply(200, list, event)
  end

  if event.resource == "/pets" and method == "POST" then
    local ok, input = pcall(json.decode, event.body or "")
    if not ok or type(input) ~= "table" or type(input.type) ~= "string"
        or math.type(input.price) ~= "integer" then
      return reply(400, {message = "expected {\"type\": string, \"price\": integer}"}, event)
    end
    local pet = {id = next_id, type = input.type, price = input.price}
    pets[next_id] = pet
    next_id = next_id + 1
    return reply(201, pet, event)
  end

  if event.resource == "/pets/{petId}" and method == "GET" then
    local pet = id and pets[id]
    if not pet then
      return reply(404, {message = "pet " .. tostring(event.pathParameters.petId) .. " not found"}, event)
    end
    return reply(200, pet, event)
  end

  if event.resource == "/pets/{petId}" and method == "DELETE" then
    if not id then
      return reply(400, {message = "petId must be a number"}, event)
    end
    -- Idempotent, like a DynamoDB DeleteItem: deleting a missing pet is not an error.
    pets[id] = nil
    return {statusCode = 204, headers = {["Access-Control-Allow-Origin"] = "*"}, body = ""}
  end

  return reply(405, {message = "method not allowed"}, event)
end
