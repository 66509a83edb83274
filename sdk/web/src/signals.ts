/** What the SDK observed in the page, and the format's environment flags it maps to. */
import type { EnvironmentSignalName } from "../../../src/capture/CaptureFormat.js"

export interface BrowserObservations {
  readonly webdriver: boolean
  readonly headless: boolean
  readonly webglRenderer: string
  readonly softwareRenderer: boolean
  readonly virtualCameraLabel: boolean
  readonly hiddenDuringCapture: boolean
}

/**
 * The format's flags for a browser: automation (webdriver) is remote control; a headless browser
 * or a software renderer is an emulated device; a page hidden while the camera was read means
 * nobody was looking at it (remote control too); a virtual camera label is a virtual camera.
 */
export const environmentFlags = (o: BrowserObservations): Partial<Record<EnvironmentSignalName, boolean>> => ({
  emulator: o.headless || o.softwareRenderer,
  virtualCamera: o.virtualCameraLabel,
  remoteControl: o.webdriver || o.hiddenDuringCapture
})
