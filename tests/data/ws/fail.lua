return function(event)
  error("secret detail that must stay in the log")
end
