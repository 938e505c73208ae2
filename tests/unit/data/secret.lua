-- Outside the definition folder: require must never reach this file.
return "escaped"
