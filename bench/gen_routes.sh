#!/bin/sh
# Writes a definition with N routes (default 300, AWS's default resource quota) to
# stdout: N/3 resources, each with a GET mock, a GET on a {id} child (Lua Lambda proxy)
# and a CORS OPTIONS mock, the mix a real export carries. Used for the cold-start figure.
#   bench/gen_routes.sh [N] > /tmp/routes300.yaml
# The file names bench/handlers/hello.lua by absolute path, so it can live anywhere.
set -eu
n=${1:-300}
here=$(cd "$(dirname "$0")" && pwd)
awk -v n="$n" -v handler="$here/handlers/hello.lua" 'BEGIN {
  q = "\""
  print "openapi: \"3.0.1\""
  print "info:"
  print "  title: \"gatehouse bench, " n " routes\""
  print "  version: \"1\""
  print "paths:"
  routes = 0
  for (i = 1; routes < n; i++) {
    printf "  /res%03d:\n", i
    print "    get:"
    print "      x-amazon-apigateway-integration:"
    print "        type: \"mock\""
    print "        requestTemplates:"
    print "          application/json: \"{\\\"statusCode\\\": 200}\""
    print "        responses:"
    print "          default:"
    print "            statusCode: \"200\""
    print "            responseTemplates:"
    printf "              application/json: \"{\\\"resource\\\": %d}\"\n", i
    routes++
    if (routes >= n) break
    print "    options:"
    print "      x-amazon-apigateway-integration:"
    print "        type: \"mock\""
    print "        requestTemplates:"
    print "          application/json: \"{\\\"statusCode\\\": 200}\""
    print "        responses:"
    print "          default:"
    print "            statusCode: \"200\""
    print "            responseParameters:"
    print "              method.response.header.Access-Control-Allow-Origin: \"'"'"'*'"'"'\""
    print "              method.response.header.Access-Control-Allow-Methods: \"'"'"'GET,OPTIONS'"'"'\""
    routes++
    if (routes >= n) break
    printf "  /res%03d/{id}:\n", i
    print "    get:"
    print "      x-amazon-apigateway-integration:"
    print "        type: \"aws_proxy\""
    print "        httpMethod: \"POST\""
    print "        uri: \"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:hello/invocations\""
    routes++
  }
  print "x-gatehouse:"
  print "  apiId: \"routes300a\""
  print "  stages:"
  print "    bench: {}"
  print "  functions:"
  print "    hello:"
  print "      handler: " q handler q
}'
