/**
 * Who made the capture and where: SDK integrity, device attestation, environment, and the camera
 * the SDK declares. Metadata only; no pixels.
 */
import { environmentSignals } from "../../capture/CaptureFormat.js"
import type { DetectionConfig } from "../DetectionConfig.js"
import { evidence, type Evidence, type OpenedFacts, STRONG } from "../Evidence.js"

export const knownVirtualCamera = (cameraName: string, names: ReadonlyArray<string>): string | undefined => {
  const lower = cameraName.toLowerCase()
  return names.find((name) => lower.includes(name.toLowerCase()))
}

export const trustChecks = ({ contents, integrity }: OpenedFacts, config: DetectionConfig): Array<Evidence> => {
  const out: Array<Evidence> = []
  if (integrity.sdkSignature !== "valid") {
    out.push(evidence("SDK_INTEGRITY_VIOLATION", STRONG, "sdk-signature", `SDK signature ${integrity.sdkSignature}`))
  }
  const build = `${contents.sdk.name}@${contents.sdk.version}`
  if (config.revoked_sdk_versions.includes(build)) {
    out.push(evidence("SDK_INTEGRITY_VIOLATION", STRONG, "sdk-revoked", `revoked SDK build ${build}`))
  }
  if (integrity.attestation !== "valid") {
    out.push(evidence("UNTRUSTED_DEVICE", STRONG, "device-attestation", `attestation ${integrity.attestation}`))
  }
  const flags = environmentSignals.filter((name) => name !== "virtualCamera" && contents.environment[name])
  if (flags.length > 0) {
    out.push(evidence("UNTRUSTED_ENVIRONMENT", STRONG, "environment", `environment signals: ${flags.join(", ")}`))
  }
  if (contents.environment.virtualCamera) {
    out.push(evidence("UNTRUSTED_CONTENT", STRONG, "virtual-camera-signal", "the SDK saw a virtual camera"))
  }
  const virtual = knownVirtualCamera(contents.camera.name, config.virtual_camera_names)
  if (virtual !== undefined) {
    out.push(evidence("UNTRUSTED_CONTENT", STRONG, "virtual-camera-name", `camera "${contents.camera.name}" matches "${virtual}"`))
  }
  return out
}
