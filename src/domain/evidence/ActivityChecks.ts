/**
 * Is this a person holding a phone? Motion sensors (gravity, sensor noise, coverage of the
 * capture), touch timing, and frame timing against the declared frame rate.
 */
import type { DetectionConfig } from "../DetectionConfig.js"
import { evidence, type Evidence, type OpenedFacts, STRONG } from "../Evidence.js"

const MOTION_STRIDE = 7
/** Even a single frame needs the sensors running around it: 100 ms is 10 samples at 100 Hz. */
const MIN_WINDOW_MS = 100
const TOUCH_STRIDE = 4
/** White noise grows by sqrt(20) under a 3rd difference; a tremor of 8-12 Hz at 100 Hz shrinks by ~0.24^3. */
const THIRD_DIFFERENCE_GAIN = Math.sqrt(20)

/** Sensor noise of one channel: RMS of the 3rd difference over the white-noise gain. */
export const channelNoise = (values: ReadonlyArray<number>): number => {
  if (values.length < 4) return 0
  let sum = 0
  for (let i = 3; i < values.length; i++) {
    const d3 = values[i]! - 3 * values[i - 1]! + 3 * values[i - 2]! - values[i - 3]!
    sum += d3 * d3
  }
  return Math.sqrt(sum / (values.length - 3)) / THIRD_DIFFERENCE_GAIN
}

const column = (samples: Float32Array, stride: number, index: number): Array<number> => {
  const out: Array<number> = []
  for (let i = index; i < samples.length; i += stride) out.push(samples[i]!)
  return out
}

const mean = (values: ReadonlyArray<number>) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length)

const increasing = (values: ReadonlyArray<number>) => values.every((v, i) => i === 0 || v > values[i - 1]!)

const motionChecks = ({ contents }: OpenedFacts, config: DetectionConfig): Array<Evidence> => {
  const motion = contents.activity.motion
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
