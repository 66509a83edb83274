#!/usr/bin/env python3
"""Builds a capture for an IAD service from JPEG frames, with the capture format of
docs/capture-format.md (see iadc.py).

  build_capture.py build  --keys DIR --image a.jpg [--image b.jpg ...] [--signals s.json]
                          [--captured-at 2025-01-02T03:04:05Z|1735787045000] --out c.iad
  build_capture.py vector --keys DIR VECTOR_DIR --out c.iad   (a test vector, fixed randomness)

The signals file takes the keys of the reference SDK's `--signals` (all optional).
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import struct
import sys
import time
from datetime import datetime

import iadc

SIGNAL_KEYS = {"captureId", "sdk", "camera", "device", "environment", "faceScore", "bestFrame",
               "frameIntervalMs", "motion", "touches", "sdkSignature", "attestation"}
SDK = {"name": "iad-capture-python", "version": "0.1.0", "platform": "python"}


def jpeg_size(jpeg: bytes) -> tuple[int, int]:
    """Width and height from the JPEG's start-of-frame marker."""
    at = 2
    while at + 4 <= len(jpeg):
        if jpeg[at] != 0xFF:
            raise iadc.CaptureError("not a JPEG: no marker where one belongs")
        marker = jpeg[at + 1]
        length = struct.unpack(">H", jpeg[at + 2:at + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", jpeg[at + 5:at + 9])
            return width, height
        at += 2 + length
    raise iadc.CaptureError("not a JPEG: no start-of-frame marker")


def hand_tremor(duration_ms: int) -> list[list[float]]:
    """100 Hz accelerometer and gyroscope of a phone held in a hand: gravity, an 8-12 Hz
    physiological tremor and sensor noise."""
    hz, phase = random.uniform(8, 12), random.uniform(0, 2 * math.pi)
    rows = []
    for t in range(0, duration_ms + 1, 10):
        s = math.sin(2 * math.pi * hz * t / 1000 + phase)
        g = random.gauss
        rows.append([t, 0.04 * s + g(0, 0.02), 9.81 + g(0, 0.03), 0.05 * s + g(0, 0.02),
                     0.01 * s + g(0, 0.003), 0.012 * s + g(0, 0.003), g(0, 0.004)])
    return rows


def draft_from(frames: list[bytes], signals: dict, created_at: int) -> iadc.Draft:
    unknown = set(signals) - SIGNAL_KEYS
    if unknown:
        raise iadc.CaptureError(f"unknown signals key(s): {', '.join(sorted(unknown))}")
    interval = signals.get("frameIntervalMs", 33)
    width, height = jpeg_size(frames[0])
    device = {"manufacturer": "Python", "model": "iadc", "os": sys.platform, "osVersion": "1",
              **signals.get("device", {})}
    device["id"] = bytes.fromhex(device["id"]) if "id" in device else os.urandom(16)
    return iadc.Draft(
        capture_id=bytes.fromhex(signals["captureId"]) if "captureId" in signals else os.urandom(16),
        created_at=created_at,
        frames=[iadc.Frame(jpeg, i * interval) for i, jpeg in enumerate(frames)],
        best_frame=signals.get("bestFrame", len(frames) // 2),
        face_score=signals.get("faceScore", 0.97),
        sdk={**SDK, **signals.get("sdk", {})},
        camera={"name": "front camera", "width": width, "height": height, "fps": 30, **signals.get("camera", {})},
        device=device,
        environment=signals.get("environment", {}),
        motion=signals.get("motion", hand_tremor(max(1000, len(frames) * interval))),
        # One tap on the capture button shortly before the first frame.
        touches=signals.get("touches", [[random.randint(50, 149), 0.5, 0.85, random.uniform(0.4, 0.6)]]),
        sdk_signature=signals.get("sdkSignature", "genuine"),
        attestation=signals.get("attestation", "genuine"),
    )


def parse_time(raw: str) -> int:
    if raw.isdigit():
        return int(raw)
    return int(datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp() * 1000)


def read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def build(args: argparse.Namespace) -> bytes:
    signals = json.loads(read(args.signals)) if args.signals else {}
    if not isinstance(signals, dict):
        raise iadc.CaptureError("the signals file holds a JSON object")
    created_at = parse_time(args.captured_at) if args.captured_at else int(time.time() * 1000)
    draft = draft_from([read(p) for p in args.image], signals, created_at)
    return iadc.encode(draft, iadc.Keys.load(args.keys))


def vector(args: argparse.Namespace) -> bytes:
    """A test vector's input.json: every value given, randomness included."""
    v = json.loads(read(os.path.join(args.vector, "input.json")))
    base = os.path.dirname(os.path.normpath(args.vector))
    draft = iadc.Draft(
        capture_id=bytes.fromhex(v["captureId"]),
        created_at=v["createdAt"],
        frames=[iadc.Frame(read(os.path.join(base, f["file"])), f["offsetMs"]) for f in v["frames"]],
        best_frame=v["bestFrame"],
        face_score=v["faceScore"],
        sdk=v["sdk"],
        camera=v["camera"],
        device={**v["device"], "id": bytes.fromhex(v["device"]["id"])},
        environment=v["environment"],
        motion=v["motion"],
        touches=v["touches"],
        attestation=v["attestation"],
    )
    r = v["randomness"]
    return iadc.encode(draft, iadc.Keys.load(args.keys), bytes.fromhex(r["ephemeralPrivateKey"]), bytes.fromhex(r["nonce"]))


def main() -> int:
    parser = argparse.ArgumentParser(description="Build a capture for an IAD service.")
    commands = parser.add_subparsers(dest="command", required=True)
    b = commands.add_parser("build", help="frames (+ signals) -> capture")
    b.add_argument("--keys", required=True, help="keys directory (service.pub, sdk.key, attestation.key)")
    b.add_argument("--image", required=True, action="append", help="a JPEG frame; repeat for more")
    b.add_argument("--signals", help="JSON object overriding the default signals")
    b.add_argument("--captured-at", help="ISO 8601 or ms since the epoch; default now")
    b.add_argument("--out", required=True, help="where to write the capture")
    b.set_defaults(run=build)
    v = commands.add_parser("vector", help="encode a test vector (docs/test-vectors/NAME)")
    v.add_argument("--keys", required=True, help="the vectors' keys directory")
    v.add_argument("vector", help="the vector's directory, holding input.json")
    v.add_argument("--out", required=True, help="where to write the capture")
    v.set_defaults(run=vector)
    args = parser.parse_args()
    try:
        capture = args.run(args)
    except (iadc.CaptureError, OSError, ValueError, KeyError, OverflowError, TypeError, struct.error) as error:
        print(f"build_capture.py {args.command}: {error}", file=sys.stderr)
        return 1
    with open(args.out, "wb") as f:
        f.write(capture)
    print(f"capture written to {args.out} ({len(capture)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
