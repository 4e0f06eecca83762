/** The environment of the chaos run's own stack: its directory and every port shifted (pure). */
import { DEFAULT_PORTS, portVariable, type StackPorts } from "../stack/settings.ts";

/**
 * Keeps STACK_DIR and port variables that are set; otherwise puts the stack under
 * `.stack/chaos-<brokers>` and shifts every default port by CHAOS_PORT_SHIFT (600 for one
 * broker, 700 for a cluster, so that both runs may exist side by side).
 */
export function isolatedStackEnv(
  env: Record<string, string>,
  brokers: number,
  repoDir = new URL("../", import.meta.url).pathname.replace(/\/$/, ""),
): Record<string, string> {
  const shift = Number(env.CHAOS_PORT_SHIFT ?? (brokers > 1 ? 700 : 600));
  const result: Record<string, string> = {
    ...env,
    KAFKA_BROKERS: String(brokers),
    CHAOS_PORT_SHIFT: String(shift),
    STACK_DIR: env.STACK_DIR || `${repoDir}/.stack/chaos-${brokers}`,
  };
  for (const key of Object.keys(DEFAULT_PORTS) as (keyof StackPorts)[]) {
    const variable = portVariable(key);
    if (!env[variable]) result[variable] = String(DEFAULT_PORTS[key] + shift);
  }
  return result;
}
