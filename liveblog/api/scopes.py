"""The API key scopes the live blog endpoints ask for (``partners.Scope`` lists them)."""

READ = "liveblog:read"
WRITE = "liveblog:write"
