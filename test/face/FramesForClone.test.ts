/**
 * Frames posted to a face worker carry their own bytes, not the whole capture they are views of:
 * checked on what a real MessageChannel delivers.
 */
import { describe, expect, it } from "@effect/vitest"
import { MessageChannel, receiveMessageOnPort } from "node:worker_threads"
import { framesForClone } from "../../src/infra/face/FramesForClone.js"

/** What arrives on the other side of a MessagePort. */
const posted = (frames: ReadonlyArray<Uint8Array>): ReadonlyArray<Uint8Array> => {
  const { port1, port2 } = new MessageChannel()
  port1.postMessage(frames)
  const message = receiveMessageOnPort(port2)
  port1.close()
  return message?.message as ReadonlyArray<Uint8Array>
}

/** A capture of three 1000-byte frames after a 100-byte header, in one buffer, as the addon hands them. */
const capture = () => {
  const bytes = Uint8Array.from({ length: 3100 }, (_, i) => i % 251)
  return [0, 1, 2].map((i) => bytes.subarray(100 + 1000 * i, 100 + 1000 * (i + 1)))
}

describe("framesForClone", () => {
  it("sends one frame of a capture without the capture's other frames", () => {
    const [, best] = capture()
    const arrived = posted(framesForClone([best!]))
    expect(arrived[0]!.buffer.byteLength).toBe(1000)
    expect(Array.from(arrived[0]!)).toEqual(Array.from(best!))
    // Without it, the clone carries the whole capture.
    expect(posted([best!])[0]!.buffer.byteLength).toBe(3100)
  })

  it("sends every frame of a capture as they are: the clone is then the only copy", () => {
    const frames = capture()
    expect(framesForClone(frames)).toBe(frames)
    const arrived = posted(framesForClone(frames))
    expect(arrived.map((frame) => frame.buffer.byteLength)).toEqual([3100, 3100, 3100])
    expect(arrived.map((frame) => Array.from(frame))).toEqual(frames.map((frame) => Array.from(frame)))
  })

  it("leaves frames that own their buffers alone", () => {
    const frames = [new Uint8Array(10), new Uint8Array(20)]
    expect(framesForClone(frames)).toBe(frames)
  })

  it("leaves the caller's bytes intact (copies, never transfers)", () => {
    const [, best] = capture()
    framesForClone([best!])
    expect(best!.byteLength).toBe(1000)
    expect(best![0]).toBe((100 + 1000) % 251)
  })
})
