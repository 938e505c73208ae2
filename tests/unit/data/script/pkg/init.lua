-- require("pkg") finds pkg/init.lua.
return { name = "pkg" }
