/** The reference capture SDK: format constants, Schemas, keys, encoder. */
export * from "./BuildCapture.js"
export * from "./CaptureContents.js"
export * from "./CaptureEncoder.js"
export * from "./CaptureFormat.js"
export * from "./KeysDir.js"
export { simulateBurst } from "./Burst.js"
export { draftOf, referenceSdk, simulatedMotion } from "./GenuineSignals.js"
