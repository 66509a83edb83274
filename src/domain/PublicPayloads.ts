/**
 * Wire shapes of the public 2.0.0 contract. These Schemas are the source of the OpenAPI document.
 */
import * as Schema from "effect/Schema"
import { Diagnostic, PublicReason } from "./PublicMessages.js"

const Milliseconds = Schema.Int.pipe(Schema.nonNegative()).annotations({ description: "Whole milliseconds" })
const Probability = Schema.Number.pipe(Schema.between(0, 1))

export class LivenessResult extends Schema.Class<LivenessResult>("LivenessResult")({
  diagnostic: Diagnostic.annotations({ description: "Live when probability >= liveness_threshold" }),
  reason: PublicReason.annotations({ description: "Public rejection reason; None only with Live" }),
  probability: Probability.annotations({ description: "Probability that the capture is genuine" }),
  score: Schema.Number.pipe(Schema.between(-16.1, 16.1)).annotations({
    description: "ln(p / (1 - p)) clipped to [-16.1, 16.1]"
  }),
  sdkDuration: Milliseconds.annotations({ description: "Time spent in the engine, ms" }),
  queueDuration: Milliseconds.annotations({ description: "Time spent waiting for a free engine, ms" })
}) {}

export class ExtractResult extends Schema.Class<ExtractResult>("ExtractResult")({
  image: Schema.String.annotations({ description: "Best facial frame, base64" }),
  mimeType: Schema.String.annotations({ examples: ["image/jpeg"] }),
  faceProbability: Probability.annotations({ description: "Probability that the image holds a face" }),
  sdkDuration: Milliseconds,
  queueDuration: Milliseconds
}) {}

/** Every non-2xx answer and every management answer: `{"message": "..."}`. */
export const MessageBody = Schema.Struct({ message: Schema.String })
export type MessageBody = typeof MessageBody.Type
