/**
 * Claims a key twice through the replay store that FACEPHI_IAD_REPLAY_ATTACK_STORE names and prints
 * `{"description", "answers"}` (or `{"error"}`) as JSON. For tests that need a fresh process, e.g.
 * one started with NODE_EXTRA_CA_CERTS to trust a test certificate:
 *   node --import tsx test/support/replayClaims.ts <key>
 */
import { Context, Effect, Either, Layer } from "effect"
import { ReplayStore } from "../../src/domain/ReplayStore.js"
import { replayStoreLayer, replayStoreSettingsFromEnv } from "../../src/infra/replay/ReplayStoreSettings.js"

const key = process.argv[2] ?? "capture"

const program = Effect.gen(function*() {
  const settings = replayStoreSettingsFromEnv(process.env)
  if (Either.isLeft(settings)) return { error: settings.left }
  const store = Context.get(yield* Layer.build(replayStoreLayer(settings.right)), ReplayStore)
  const first = yield* Effect.either(store.claim(key, 60_000))
  const second = yield* Effect.either(store.claim(key, 60_000))
  const answer = (outcome: typeof first) => (Either.isRight(outcome) ? outcome.right : outcome.left.detail)
  return { description: store.description, answers: [answer(first), answer(second)] }
})

Effect.runPromise(Effect.scoped(program)).then((result) => console.log(JSON.stringify(result)))
