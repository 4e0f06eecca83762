/**
 * Prometheus's own programs and its official Python client, to read the stages' /metrics as a
 * monitoring system does.
 */
import { lastJsonLine } from "./mod.ts";

const METRICS_READER = new URL("./metrics_reader.py", import.meta.url).pathname;

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Runs a program with `input` on its standard input; its output. */
async function runWithInput(command: string, args: string[], input: string) {
  const child = new Deno.Command(command, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  return await child.output();
}

/** A Prometheus exposition as the official Python client's parser reads it. */
export async function parseMetricsWithPrometheusClient(text: string): Promise<MetricSample[]> {
  const output = await runWithInput("python3", [METRICS_READER], text);
  const { samples } = lastJsonLine<{ samples: [string, Record<string, string>, number][] }>(
    output,
    "the prometheus_client parser",
  );
  return samples.map(([name, labels, value]) => ({ name, labels, value }));
}

/** `promtool check metrics` (Prometheus's own linter) over an exposition: its complaints. */
export async function promtoolCheckMetrics(text: string): Promise<{ ok: boolean; says: string }> {
  const output = await runWithInput("promtool", ["check", "metrics"], text);
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { ok: output.success, says: decode(output.stdout) + decode(output.stderr) };
}

/**
 * A real Prometheus server scraping `targets` (host:port) every second, with its storage in a
 * temporary directory; `query` asks its HTTP API for an instant vector.
 */
export async function startPrometheus(targets: string[], port: number) {
  const dir = await Deno.makeTempDir({ prefix: "prometheus-" });
  await Deno.writeTextFile(
    `${dir}/prometheus.yml`,
    [
      "global:",
      "  scrape_interval: 1s",
      "scrape_configs:",
      "  - job_name: stages",
      "    static_configs:",
      `      - targets: [${targets.map((t) => JSON.stringify(t)).join(", ")}]`,
      "",
    ].join("\n"),
  );
  const child = new Deno.Command("prometheus", {
    args: [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stderr = child.stderr.pipeThrough(new TextDecoderStream());
  const drained = (async () => {
    let text = "";
    for await (const chunk of stderr) text += chunk;
    return text;
  })();
  return {
    async query(expression: string): Promise<{ metric: Record<string, string>; value: number }[]> {
      const url = `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(expression)}`;
      const response = await fetch(url);
      const body = await response.json();
      if (body.status !== "success") throw new Error(`prometheus: ${JSON.stringify(body)}`);
      return body.data.result.map((
        r: { metric: Record<string, string>; value: [number, string] },
      ) => ({
        metric: r.metric,
        value: Number(r.value[1]),
      }));
    },
    async stop(): Promise<string> {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      await child.status;
      const log = await drained;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
      return log;
    },
  };
}
