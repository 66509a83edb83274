// Entry of a face-analysis worker thread while the service runs as TypeScript (tsx, vitest):
// worker threads do not inherit the main thread's TypeScript loader, so register tsx here, then
// run the TypeScript side. Compiled to JavaScript, the pool starts FaceWorker.js directly.
import { register } from "tsx/esm/api"

register()
await import("./FaceWorker.ts")
