-- wrk script for the poll benchmark: sends If-None-Match when WRK_IF_NONE_MATCH is set
-- (the ETag a polling client holds), so the server can answer 304.
local etag = os.getenv("WRK_IF_NONE_MATCH")
if etag ~= nil and etag ~= "" then
  wrk.headers["If-None-Match"] = etag
end
