// What the global setup (test/setup/global.ts) provides to every test project.
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The proxy's URL (Upstash REST protocol) in front of the throwaway redis-server. */
    restUrl: string;
    restToken: string;
    adminToken: string;
    /** redis://127.0.0.1:PORT of the throwaway redis-server. */
    redisUrl: string;
    /** The jobs tests' programmable webhook receiver (test/setup/receiver.ts). */
    receiverUrl: string;
    /** The gateway tests' programmable, counting HTTP origin (test/setup/origin.ts). */
    originUrl: string;
  }
}
