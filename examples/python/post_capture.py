#!/usr/bin/env python3
"""Posts a capture to an IAD service as the multipart field `capture`, with the standard
library only, and prints the HTTP status and the JSON answer.

  post_capture.py http://127.0.0.1:6982/liveness/evaluate c.iad
"""
from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request


def multipart(field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = "iadc-" + os.urandom(12).hex()
    head = (f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode("ascii")
    tail = f"\r\n--{boundary}--\r\n".encode("ascii")
    return head + data + tail, f"multipart/form-data; boundary={boundary}"


def post(url: str, capture: bytes, timeout: float = 60) -> tuple[int, object]:
    body, content_type = multipart("capture", "capture.iad", capture)
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:  # 4xx/5xx still carry the service's JSON answer
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode("utf-8", "replace")


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(sys.argv[2], "rb") as f:
        status, answer = post(sys.argv[1], f.read())
    print(json.dumps({"status": status, "body": answer}))
    return 0 if 200 <= status < 300 else 1


if __name__ == "__main__":
    sys.exit(main())
