/**
 * Dispatch to a fixed set of workers by load: each use goes to the worker with the fewest uses
 * under way, so a request never waits queued behind another in one worker while a second worker
 * is idle. Equals take turns (the search starts after the last chosen), so under light load every
 * worker keeps working and none goes cold (a face worker idle for 10 s gives its heap back,
 * FaceWorker.ts). Written here because the platform's worker pool (`Effect`'s `Pool`) hands a
 * worker out while it has room under its concurrency, whatever the others' load: with two requests
 * a worker, a worker that just finished could sit idle while the next request queued behind a
 * busy one.
 */
import * as Effect from "effect/Effect"

export interface LeastLoaded<W> {
  readonly use: <A, E, R>(work: (worker: W) => Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Uses under way, per worker in the given order (what the tests read). */
  readonly load: () => ReadonlyArray<number>
}

export const leastLoaded = <W>(workers: ReadonlyArray<W>): LeastLoaded<W> => {
  const underWay = workers.map(() => 0)
  let last = workers.length - 1
  return {
    use: (work) =>
      Effect.suspend(() => {
        let chosen = (last + 1) % workers.length
        for (let step = 2; step <= workers.length; step++) {
          const i = (last + step) % workers.length
          if (underWay[i]! < underWay[chosen]!) chosen = i
        }
        last = chosen
        underWay[chosen]!++
        return Effect.ensuring(
          Effect.suspend(() => work(workers[chosen]!)),
          Effect.sync(() => {
            underWay[chosen]!--
          })
        )
      }),
    load: () => [...underWay]
  }
}
