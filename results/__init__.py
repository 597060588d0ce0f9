"""Election results: races, candidates, immutable snapshots and winner calls."""
