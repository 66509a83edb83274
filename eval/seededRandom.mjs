// Preload for comparing two builds on the same simulated bursts: `src/capture/Burst.ts` jitters
// each burst with Math.random, so two plain `npm run eval:faces` runs differ by a few bursts near
// the thresholds. Run each build as
//   node --import ./eval/seededRandom.mjs --import tsx eval/faces/run.ts
// (EVAL_SEED picks another sequence) and diff the outputs: only the timing line may differ.
let state = Number(process.env.EVAL_SEED ?? 42) % 2147483648
Math.random = () => {
  state = (state * 1103515245 + 12345) % 2147483648
  return state / 2147483648
}
