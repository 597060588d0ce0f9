"""The web toolkit: what the pages, the desk, the admin and every JSON endpoint share,
whichever app they serve.

Signed keyset cursors and pages newest first, ETags and 304s, typed refusals of a stale or
racing write (``conflicts``), JSON errors with stable codes, a base API view, strict
inputs, ``Idempotency-Key`` replays, ``If-Match`` preconditions and OpenAPI helpers. It
imports no app of the project (an import contract checks it): apps build on it.
"""
