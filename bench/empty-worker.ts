/**
 * The cold-start baseline (bench/startup.ts): an empty Hono Worker, built and started exactly as
 * edgekit is. What edgekit's isolate costs beyond it is edgekit's own startup.
 */
import { Hono } from "hono";

export default new Hono().get("/", (c) => c.text("ok"));
