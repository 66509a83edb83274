/**
 * What a page can observe about its own environment. A modified page can lie about all of it:
 * these signals catch unmodified automation and virtual cameras, not a determined attacker
 * (docs/capture-format.md, "Web captures").
 */
import type { EnvironmentSignalName } from "../../../src/capture/CaptureFormat.js"

/** Camera labels of virtual cameras and of Chromium's own fake device (a file path, .y4m/.mjpeg). */
const VIRTUAL_CAMERA_LABEL =
  /virtual|obs[ -]?(cam|studio)|manycam|snap camera|xsplit|droidcam|epoccam|camtwist|splitcam|e2esoft|vcam|webcamoid|mmhmm|fake|\.y4m|\.mjpe?g/i

/** Renderers with no GPU behind them: headless browsers, VMs and CI machines. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|mesa offscreen|basic render/i

export interface BrowserObservations {
  readonly webdriver: boolean
  readonly headless: boolean
  readonly webglRenderer: string
  readonly softwareRenderer: boolean
  readonly virtualCameraLabel: boolean
  readonly hiddenDuringCapture: boolean
}

const webglRenderer = (): string => {
  try {
    const gl = document.createElement("canvas").getContext("webgl")
    if (gl === null) return ""
    const info = gl.getExtension("WEBGL_debug_renderer_info")
    return String(gl.getParameter(info === null ? gl.RENDERER : info.UNMASKED_RENDERER_WEBGL) ?? "")
  } catch {
    return ""
  }
}

interface UserAgentData {
  readonly brands?: ReadonlyArray<{ readonly brand: string }>
  readonly mobile?: boolean
  readonly platform?: string
}

export const userAgentData = (): UserAgentData | undefined =>
  (navigator as Navigator & { userAgentData?: UserAgentData }).userAgentData

const headlessMarkers = (): boolean => {
  const brands = userAgentData()?.brands?.map((b) => b.brand).join(" ") ?? ""
  return /headless/i.test(navigator.userAgent) || /headless/i.test(brands)
}

export const observeBrowser = (cameraLabel: string, hiddenDuringCapture: boolean): BrowserObservations => {
  const renderer = webglRenderer()
  return {
    webdriver: navigator.webdriver === true,
    headless: headlessMarkers(),
    webglRenderer: renderer,
    softwareRenderer: SOFTWARE_RENDERER.test(renderer),
    virtualCameraLabel: VIRTUAL_CAMERA_LABEL.test(cameraLabel),
    hiddenDuringCapture
  }
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
