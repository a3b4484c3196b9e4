"""schemathesis hooks for `.ci/run` (loaded through SCHEMATHESIS_HOOKS).

A fresh Idempotency-Key per request sent. Hypothesis sends a case again when it shrinks a
failure or replays a stateful sequence, with the same generated key and the same body: the
server then does what the conventions require, it replays the first response (status and
body) for 24 hours. If the resource that first response created has since been deleted (by a
later step of the first run), schemathesis sees a "created" resource that is not found
(ST302) although nothing was created. So in the stateful phase, a key that is valid for the
contract gets a unique suffix, and stays valid. The other phases send keys as generated: there a
case is judged by what it was generated to be (a header left out, a value out of its schema), and
editing a header would make schemathesis judge it afresh. Replays themselves are tested in
tests/api (idempotency).
"""

import re
import uuid

import schemathesis

_VALID_KEY = re.compile(r"^[\x21-\x7E]{1,200}$")
# 200 characters at most: the suffix is "-" and 32 hexadecimal digits.
_KEEP = 200 - 33


@schemathesis.hook
def before_call(context, case, kwargs):
    meta = case.meta
    if meta is None or meta.phase.name != "stateful":
        return
    headers = case.headers
    if not headers:
        return
    for name in list(headers):
        if name.lower() != "idempotency-key":
            continue
        value = headers[name]
        if isinstance(value, str) and _VALID_KEY.match(value):
            headers[name] = f"{value[:_KEEP]}-{uuid.uuid4().hex}"
