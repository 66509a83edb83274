// How the service tunes V8's heaps before anything else loads (bin/iad-service.cjs calls it).
// V8 sizes each heap's next full collection by a growing factor from its own heuristics; for this
// service's small heaps (20-40 MB live per isolate) they came out so low that the main thread and
// each face worker ran a full mark-compact every ~15 captures: ~5 ms of CPU per capture in V8's
// threads. Letting the old generation double between collections cut that by half, with no cost
// to idle RSS (docs/performance.md). Tripling (200%) halved the full collections again: V8 also
// counts ArrayBuffers allocated since the last one against that room, and each capture allocates
// ~1 MB of them; it costs ~60 MiB of peak RSS under load, idle RSS is unchanged. The flag is
// process-wide, so the face workers get it too.
"use strict"

const HEAP_GROWING_FLAG = "--heap-growing-percent=200"

/** The flag to set, or undefined when the operator chose a growing factor themselves. */
const heapGrowingFlag = (execArgv, nodeOptions) => {
  const given = [...execArgv, ...(nodeOptions || "").split(/\s+/)]
  return given.some((flag) => /^--heap[-_]growing[-_]percent(=|$)/.test(flag)) ? undefined : HEAP_GROWING_FLAG
}

const tuneHeaps = () => {
  const flag = heapGrowingFlag(process.execArgv, process.env.NODE_OPTIONS)
  if (flag !== undefined) require("node:v8").setFlagsFromString(flag)
}

module.exports = { heapGrowingFlag, tuneHeaps, HEAP_GROWING_FLAG }
