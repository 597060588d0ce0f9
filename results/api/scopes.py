"""The API key scope the results endpoints ask for (``partners.Scope`` lists it)."""

READ = "results:read"
