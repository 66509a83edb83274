/** Latency against concurrency as a PNG: a vega-lite chart rendered to SVG, rasterised by sharp. */
import sharp from "sharp"
import * as vega from "vega"
import * as vegaLite from "vega-lite"

export interface LatencyPoint {
  readonly concurrency: number
  readonly p50Ms: number
  readonly p99Ms: number
}

export const latencyPlotPng = async (points: ReadonlyArray<LatencyPoint>, title: string): Promise<Buffer> => {
  const values = points.flatMap((point) => [
    { concurrency: point.concurrency, percentile: "p50", ms: point.p50Ms },
    { concurrency: point.concurrency, percentile: "p99", ms: point.p99Ms }
  ])
  const spec: vegaLite.TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    width: 480,
    height: 280,
    background: "white",
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "concurrency", type: "quantitative", scale: { type: "log", base: 2 }, title: "concurrent clients" },
      y: { field: "ms", type: "quantitative", title: "POST /liveness/evaluate latency (ms)" },
      color: { field: "percentile", type: "nominal" }
    }
  }
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "none" })
  const svg = await view.toSVG()
  view.finalize()
  return sharp(Buffer.from(svg)).png().toBuffer()
}
