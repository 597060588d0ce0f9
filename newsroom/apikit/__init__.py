"""The API toolkit: what every JSON endpoint shares, whichever app it serves.

Base view, JSON errors with stable codes, ETags and 304s, signed keyset cursors, strict
inputs, ``Idempotency-Key`` replays, ``If-Match`` preconditions and OpenAPI helpers. It
imports no app of the project (an import contract checks it): apps build on it.
"""
