/**
 * What a page can observe about its own environment. A modified page can lie about all of it:
 * these signals catch unmodified automation and virtual cameras, not a determined attacker
 * (docs/capture-format.md, "Web captures").
 */
import type { BrowserObservations } from "./signals.js"

/** Camera labels of virtual cameras and of Chromium's own fake device (a file path, .y4m/.mjpeg). */
const VIRTUAL_CAMERA_LABEL =
  /virtual|obs[ -]?(cam|studio)|manycam|snap camera|xsplit|droidcam|epoccam|camtwist|splitcam|e2esoft|vcam|webcamoid|mmhmm|fake|\.y4m|\.mjpe?g/i

/** Renderers with no GPU behind them: headless browsers, VMs and CI machines. */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|mesa offscreen|basic render/i

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
