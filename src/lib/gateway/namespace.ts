import { type NamespaceKeys, namespaceKeys } from "../cache/keys.ts";

/** The gateway's cache namespace: one for every route, so a purge spans them. */
export const GATEWAY_NAMESPACE = "gw";

export const gatewayKeys = (prefix: string): NamespaceKeys => namespaceKeys(prefix, GATEWAY_NAMESPACE);
