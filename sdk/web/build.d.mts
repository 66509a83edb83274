/** Types of build.mjs (a plain ES module so that `npm ci` can run it without tsx). */
export declare const defaultOutfile: string
export declare const buildSdk: (outfile?: string) => Promise<{ outfile: string; bytes: number; gzipBytes: number }>
