/**
 * The DEVICE record of a browser: a random id per capture (a page has no device identity worth
 * trusting, and a stable one would be a tracking cookie), and what the user agent says.
 */
import { userAgentData } from "./environment.js"

export interface BrowserDevice {
  readonly id: Uint8Array
  readonly manufacturer: string
  readonly model: string
  readonly os: string
  readonly osVersion: string
}

interface HighEntropy {
  readonly model?: string
  readonly platform?: string
  readonly platformVersion?: string
  readonly fullVersionList?: ReadonlyArray<{ readonly brand: string; readonly version: string }>
}

const osFromUserAgent = (ua: string): { os: string; osVersion: string } => {
  const rules: ReadonlyArray<[string, RegExp]> = [
    ["Android", /Android ([\d.]+)/],
    ["iOS", /(?:iPhone|iPad|iPod).* OS ([\d_]+)/],
    ["Windows", /Windows NT ([\d.]+)/],
    ["macOS", /Mac OS X ([\d_.]+)/],
    ["ChromeOS", /CrOS \S+ ([\d.]+)/],
    ["Linux", /Linux()/]
  ]
  for (const [os, rule] of rules) {
    const match = rule.exec(ua)
    if (match !== null) return { os, osVersion: (match[1] ?? "").replace(/_/g, ".") }
  }
  return { os: "", osVersion: "" }
}

/** The browser's own name and version, e.g. "Chromium 156.0.8078.108" (brands without GREASE). */
const browserOf = (entropy: HighEntropy | undefined, ua: string): string => {
  const real = entropy?.fullVersionList?.find((b) => !/not.?a.?brand/i.test(b.brand) && b.brand !== "Chromium")
  const chromium = entropy?.fullVersionList?.find((b) => b.brand === "Chromium")
  const brand = real ?? chromium
  if (brand !== undefined) return `${brand.brand} ${brand.version}`
  const match = /(Firefox|Edg|OPR|Chrome|Version)\/([\d.]+)/.exec(ua)
  return match === null ? "" : `${match[1] === "Version" ? "Safari" : match[1]} ${match[2]}`
}

export const describeDevice = async (): Promise<BrowserDevice> => {
  const ua = navigator.userAgent
  let entropy: HighEntropy | undefined
  try {
    const data = userAgentData() as { getHighEntropyValues?: (hints: Array<string>) => Promise<HighEntropy> } | undefined
    entropy = await data?.getHighEntropyValues?.(["model", "platform", "platformVersion", "fullVersionList"])
  } catch {
    entropy = undefined
  }
  const parsed = osFromUserAgent(ua)
  return {
    id: crypto.getRandomValues(new Uint8Array(16)),
    manufacturer: "",
    model: entropy?.model !== undefined && entropy.model !== "" ? entropy.model : browserOf(entropy, ua),
    os: entropy?.platform ?? parsed.os,
    osVersion: entropy?.platformVersion ?? parsed.osVersion
  }
}
