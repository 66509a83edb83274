/**
 * The OpenTelemetry resource of this service: `service.name` and `service.version`, which the
 * standard `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` variables may override or extend.
 */
import * as Resource from "@effect/opentelemetry/Resource"

export const SERVICE_RESOURCE_NAME = "iad-service"

export const telemetryResourceLayer = (serviceVersion: string) =>
  Resource.layerFromEnv(Resource.configToAttributes({ serviceName: SERVICE_RESOURCE_NAME, serviceVersion }))
