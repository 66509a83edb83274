/**
 * Is this a person holding a phone? Motion sensors (gravity, sensor noise, coverage of the
 * capture), touch timing, and frame timing against the declared frame rate.
 */
import type { DetectionConfig } from "../DetectionConfig.js"
import { evidence, type Evidence, type OpenedFacts, STRONG } from "../Evidence.js"
import { isWebCapture } from "./TrustChecks.js"

const MOTION_STRIDE = 7
/** Even a single frame needs the sensors running around it: 100 ms is 10 samples at 100 Hz. */
const MIN_WINDOW_MS = 100
const TOUCH_STRIDE = 4
/** Order of the linear predictor: a sum of up to two sinusoids per axis is predicted exactly. */
const AR_ORDER = 4

/** Solves the small normal equations by Gaussian elimination; `undefined` when singular. */
const solve = (m: Array<Array<number>>, v: Array<number>): Array<number> | undefined => {
  const n = v.length
  for (let c = 0; c < n; c++) {
    let pivot = c
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r
    if (Math.abs(m[pivot]![c]!) < 1e-18) return undefined
    ;[m[c], m[pivot]] = [m[pivot]!, m[c]!]
    ;[v[c], v[pivot]] = [v[pivot]!, v[c]!]
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!
      for (let k = c; k < n; k++) m[r]![k]! -= f * m[c]![k]!
      v[r]! -= f * v[c]!
    }
  }
  const x = Array<number>(n).fill(0)
  for (let r = n - 1; r >= 0; r--) {
    let sum = v[r]!
    for (let k = r + 1; k < n; k++) sum -= m[r]![k]! * x[k]!
    x[r] = sum / m[r]![r]!
  }
  return x
}

/**
 * Sensor noise of one channel: what a least-squares linear predictor (order 4, on the first
 * difference, so constants such as gravity drop out) cannot predict. Smooth or synthetic signals
 * (constants, sinusoids of any amplitude) are predicted almost exactly; real sensors always leave
 * their white noise. The differenced white noise's prediction error is sqrt(2 * (1 + 1/(p+1)))
 * times its sigma, which the estimate divides out.
 */
export const channelNoise = (values: ReadonlyArray<number>): number => {
  const d = values.slice(1).map((v, i) => v - values[i]!)
  const rows = d.length - AR_ORDER
  if (rows < 4 * AR_ORDER) return 0
  const m = Array.from({ length: AR_ORDER }, () => Array<number>(AR_ORDER).fill(0))
  const v = Array<number>(AR_ORDER).fill(0)
  for (let n = AR_ORDER; n < d.length; n++) {
    for (let i = 0; i < AR_ORDER; i++) {
      v[i]! += d[n]! * d[n - 1 - i]!
      for (let j = 0; j < AR_ORDER; j++) m[i]![j]! += d[n - 1 - i]! * d[n - 1 - j]!
    }
  }
  const a = solve(m, v) ?? Array<number>(AR_ORDER).fill(0)
  let sum = 0
  for (let n = AR_ORDER; n < d.length; n++) {
    let predicted = 0
    for (let i = 0; i < AR_ORDER; i++) predicted += a[i]! * d[n - 1 - i]!
    sum += (d[n]! - predicted) ** 2
  }
  return Math.sqrt(sum / rows / (2 * (1 + 1 / (AR_ORDER + 1))))
}

const column = (samples: Float32Array, stride: number, index: number): Array<number> => {
  const out: Array<number> = []
  for (let i = index; i < samples.length; i += stride) out.push(samples[i]!)
  return out
}

const mean = (values: ReadonlyArray<number>) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)

const increasing = (values: ReadonlyArray<number>) => values.every((v, i) => i === 0 || v > values[i - 1]!)

const motionChecks = (facts: OpenedFacts, config: DetectionConfig): Array<Evidence> => {
  const { contents } = facts
  const motion = contents.activity.motion
  // Desktop browsers have no motion sensors: a web capture without samples is not judged on them
  // (docs/web.md); samples it does carry are checked like any others.
  if (motion.length === 0 && isWebCapture(facts)) return []
  const suspicious = (check: string, detail: string) => evidence("SUSPICIOUS_ACTIVITY", STRONG, check, detail)
  const times = column(motion, MOTION_STRIDE, 0)
  const offsets = contents.frames.map((f) => f.offsetMs)
  const first = Math.min(...offsets)
  const last = Math.max(...offsets)
  // The sensors must run across the frames (at least 100 ms of them) at a phone's usual rate
  // (50-200 Hz; 20 Hz is lenient).
  const end = Math.max(last, first + MIN_WINDOW_MS)
  const covering = times.filter((t) => t >= first && t <= end).length
  const spanSeconds = (end - first) / 1000
  if (times.length === 0 || times[0]! > first || times[times.length - 1]! < end || covering < config.min_motion_rate * spanSeconds) {
    return [suspicious("motion-coverage", `${times.length} motion samples, ${covering} over frames ${first}..${last} ms`)]
  }
  if (!increasing(times)) return [suspicious("motion-timing", "motion timestamps do not increase")]
  const [ax, ay, az, gx, gy, gz] = [1, 2, 3, 4, 5, 6].map((i) => column(motion, MOTION_STRIDE, i)) as [
    Array<number>, Array<number>, Array<number>, Array<number>, Array<number>, Array<number>
  ]
  const gravity = mean(ax.map((x, i) => Math.hypot(x, ay[i]!, az[i]!)))
  const out: Array<Evidence> = []
  if (gravity < config.min_gravity || gravity > config.max_gravity) {
    out.push(suspicious("motion-gravity", `mean acceleration ${gravity.toFixed(2)} m/s^2`))
  }
  const accelNoise = mean([ax, ay, az].map(channelNoise))
  const gyroNoise = mean([gx, gy, gz].map(channelNoise))
  if (accelNoise < config.min_accel_noise || gyroNoise < config.min_gyro_noise) {
    out.push(suspicious("motion-noise", `sensor noise accel ${accelNoise.toFixed(4)} m/s^2, gyro ${gyroNoise.toFixed(5)} rad/s`))
  }
  return out
}

const touchChecks = ({ contents }: OpenedFacts, config: DetectionConfig): Array<Evidence> => {
  const touches = contents.activity.touches
  const times = column(touches, TOUCH_STRIDE, 0)
  const xs = column(touches, TOUCH_STRIDE, 1)
  const ys = column(touches, TOUCH_STRIDE, 2)
  const pressures = column(touches, TOUCH_STRIDE, 3)
  const out: Array<Evidence> = []
  const gaps = times.slice(1).map((t, i) => t - times[i]!)
  if (gaps.some((gap) => gap < config.min_touch_interval)) {
    out.push(evidence("SUSPICIOUS_ACTIVITY", STRONG, "touch-timing", `touch gaps ${gaps.join(", ")} ms`))
  }
  const outside = (v: number) => v < 0 || v > 1
  if (xs.some(outside) || ys.some(outside) || pressures.some((p) => p < 0)) {
    out.push(evidence("SUSPICIOUS_ACTIVITY", STRONG, "touch-position", "touch outside the screen or negative pressure"))
  }
  return out
}

const frameTimingChecks = ({ contents }: OpenedFacts, config: DetectionConfig): Array<Evidence> => {
  const offsets = contents.frames.map((f) => f.offsetMs)
  const gaps = offsets.slice(1).map((t, i) => t - offsets[i]!).filter((gap) => gap > 0)
  const period = 1000 / contents.camera.fps
  const fastest = Math.min(...gaps)
  return gaps.length > 0 && fastest < config.min_frame_period_ratio * period
    ? [evidence("SUSPICIOUS_ACTIVITY", STRONG, "frame-rate", `frames ${fastest} ms apart at a declared ${contents.camera.fps} fps`)]
    : []
}

export const activityChecks = (facts: OpenedFacts, config: DetectionConfig): Array<Evidence> => [
  ...motionChecks(facts, config),
  ...touchChecks(facts, config),
  ...frameTimingChecks(facts, config)
]
