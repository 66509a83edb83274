/** Product name and version, as `/version` reports them. */
export const SERVICE_NAME = "IAD Service"
export const SERVICE_VERSION = "2.0.0"
export const COPYRIGHT = "Copyright (c) 2026 the IAD Service contributors, Apache-2.0"
