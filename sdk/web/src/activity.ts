/**
 * Device motion and touches while the capture runs, where the browser gives them (phones; iOS
 * only after `DeviceMotionEvent.requestPermission()`, which the integrator's page must ask for
 * on a user gesture). Times are ms since the capture's creation.
 */
export interface ActivityRecorder {
  readonly motion: Array<Array<number>>
  readonly touches: Array<Array<number>>
  readonly stop: () => void
}

const DEG_TO_RAD = Math.PI / 180

export const recordActivity = (startedAt: number): ActivityRecorder => {
  const motion: Array<Array<number>> = []
  const touches: Array<Array<number>> = []
  const since = () => Math.max(0, performance.now() - startedAt)
  const onMotion = (e: DeviceMotionEvent) => {
    const a = e.accelerationIncludingGravity
    const r = e.rotationRate
    if (a === null || a.x === null || a.y === null || a.z === null) return
    // rotationRate is in deg/s; the format wants rad/s (alpha about z, beta about x, gamma about y).
    motion.push([since(), a.x, a.y, a.z, (r?.beta ?? 0) * DEG_TO_RAD, (r?.gamma ?? 0) * DEG_TO_RAD, (r?.alpha ?? 0) * DEG_TO_RAD])
  }
  const onPointer = (e: PointerEvent) => {
    touches.push([since(), e.clientX / Math.max(1, innerWidth), e.clientY / Math.max(1, innerHeight), e.pressure])
  }
  addEventListener("devicemotion", onMotion)
  addEventListener("pointerdown", onPointer, { capture: true, passive: true })
  return {
    motion,
    touches,
    stop: () => {
      removeEventListener("devicemotion", onMotion)
      removeEventListener("pointerdown", onPointer, { capture: true })
    }
  }
}
