/**
 * Who made the capture and where: SDK integrity, device attestation, environment, and the camera
 * the SDK declares. Metadata only; no pixels.
 *
 * Web captures (platform `web`, no SDK signature: `unsigned-web`) follow the web policy of
 * docs/web.md: what binds them is the server-issued session, so a missing, forged or expired
 * session token is `UNTRUSTED_DEVICE` (strong), and with a verified session the facts a browser
 * cannot produce (an SDK signature, a device attestation) do not reject by themselves. What a
 * browser can observe still rejects: the environment signals listed in
 * `detection.web_environment_signals` (automation, headless, hidden page, virtual camera) and the
 * camera names of `detection.virtual_camera_names`.
 */
import { environmentSignals, type EnvironmentSignalName } from "../../capture/CaptureFormat.js"
import type { DetectionConfig } from "../DetectionConfig.js"
import { evidence, type Evidence, type OpenedFacts, STRONG } from "../Evidence.js"
import { type CaptureSession, UNCHECKED_SESSION } from "../Sessions.js"

export const knownVirtualCamera = (cameraName: string, names: ReadonlyArray<string>): string | undefined => {
  const lower = cameraName.toLowerCase()
  return names.find((name) => lower.includes(name.toLowerCase()))
}

export const isWebCapture = ({ integrity }: OpenedFacts): boolean => integrity.sdkSignature === "unsigned-web"

/** Who vouches for the capture: the SDK signature and attestation, or (web) the session. */
const originChecks = (facts: OpenedFacts, session: CaptureSession): Array<Evidence> => {
  const { integrity } = facts
  if (isWebCapture(facts)) {
    return session._tag === "Verified"
      ? []
      : [evidence("UNTRUSTED_DEVICE", STRONG, "session-token", session._tag === "Unverified" ? session.why : "no session")]
  }
  const out: Array<Evidence> = []
  if (integrity.sdkSignature !== "valid") {
    out.push(evidence("SDK_INTEGRITY_VIOLATION", STRONG, "sdk-signature", `SDK signature ${integrity.sdkSignature}`))
  }
  if (integrity.attestation !== "valid") {
    out.push(evidence("UNTRUSTED_DEVICE", STRONG, "device-attestation", `attestation ${integrity.attestation}`))
  }
  return out
}

export const trustChecks = (facts: OpenedFacts, config: DetectionConfig, session: CaptureSession = UNCHECKED_SESSION): Array<Evidence> => {
  const { contents } = facts
  const out: Array<Evidence> = originChecks(facts, session)
  const build = `${contents.sdk.name}@${contents.sdk.version}`
  if (config.revoked_sdk_versions.includes(build)) {
    out.push(evidence("SDK_INTEGRITY_VIOLATION", STRONG, "sdk-revoked", `revoked SDK build ${build}`))
  }
  const rejecting: ReadonlyArray<EnvironmentSignalName> = isWebCapture(facts) ? config.web_environment_signals : environmentSignals
  const flags = rejecting.filter((name) => name !== "virtualCamera" && contents.environment[name])
  if (flags.length > 0) {
    out.push(evidence("UNTRUSTED_ENVIRONMENT", STRONG, "environment", `environment signals: ${flags.join(", ")}`))
  }
  if (contents.environment.virtualCamera && rejecting.includes("virtualCamera")) {
    out.push(evidence("UNTRUSTED_CONTENT", STRONG, "virtual-camera-signal", "the SDK saw a virtual camera"))
  }
  const virtual = knownVirtualCamera(contents.camera.name, config.virtual_camera_names)
  if (virtual !== undefined) {
    out.push(evidence("UNTRUSTED_CONTENT", STRONG, "virtual-camera-name", `camera "${contents.camera.name}" matches "${virtual}"`))
  }
  return out
}
