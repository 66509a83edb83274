/**
 * The installed package's root directory, so that files shipped with the package (the generated
 * face models) are found wherever the service is started from.
 */
import { fileURLToPath } from "node:url"

export const packageRoot: string = fileURLToPath(new URL("../../", import.meta.url))
