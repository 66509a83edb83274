/**
 * Probability, score and diagnostic: the arithmetic of the public liveness payload.
 */

/** ln(1e-7): the IDLive-style linear score saturates here (about -16.1 .. 16.1). */
export const SCORE_LIMIT = 16.1

/** Logit of the genuine-capture probability, clipped to [-SCORE_LIMIT, SCORE_LIMIT]. */
export const scoreOf = (probability: number): number => {
  const p = clampProbability(probability)
  if (p <= 0) return -SCORE_LIMIT
  if (p >= 1) return SCORE_LIMIT
  const logit = Math.log(p / (1 - p))
  return Math.max(-SCORE_LIMIT, Math.min(SCORE_LIMIT, logit))
}

export const clampProbability = (probability: number): number =>
  Number.isFinite(probability) ? Math.max(0, Math.min(1, probability)) : 0

export const isLive = (probability: number, threshold: number): boolean =>
  clampProbability(probability) >= threshold

/** Rounds to 6 decimals so that JSON stays readable without losing meaningful precision. */
export const roundForWire = (value: number): number => Math.round(value * 1e6) / 1e6
