// Entry of a face-analysis worker thread. Worker threads start from plain JavaScript and do not
// inherit the main thread's TypeScript loader: register tsx here, then run the TypeScript side.
import { register } from "tsx/esm/api"

register()
await import("./FaceWorker.ts")
