/**
 * Starts the service: configuration from the environment and `.env`, then
 * every layer until SIGTERM or SIGINT, when the server stops accepting,
 * finishes in-flight requests and closes its connections.
 *
 * @module
 */
import { NodeRuntime } from "@effect/platform-node";
import { Layer } from "effect";
import { environmentProvider } from "./config.ts";
import { ServiceLive } from "./server.ts";

NodeRuntime.runMain(
  Layer.launch(ServiceLive.pipe(Layer.provide(environmentProvider()))),
  { disablePrettyLogger: true },
);
