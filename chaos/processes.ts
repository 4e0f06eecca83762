/** The chaos run's own child processes: stages and the dashboard, with their output in files. */

const ROOT = new URL("../", import.meta.url).pathname;

export class Child {
  #process: Deno.ChildProcess;
  #text = "";
  #exitCode: number | undefined;
  readonly exited: Promise<number>;
  readonly startedAt = performance.now();

  constructor(readonly name: string, args: string[], env: Record<string, string>, logFile: string) {
    this.#process = new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const log = Deno.openSync(logFile, { append: true, create: true });
    const decoder = new TextDecoder();
    const drain = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream) {
        this.#text += decoder.decode(chunk, { stream: true });
        log.writeSync(chunk);
      }
    };
    const drained = Promise.all([drain(this.#process.stdout), drain(this.#process.stderr)]);
    this.exited = this.#process.status.then(async (status) => {
      await drained;
      log.close();
      this.#exitCode = status.signal ? 128 : status.code;
      return this.#exitCode;
    });
  }

  get pid(): number {
    return this.#process.pid;
  }

  get running(): boolean {
    return this.#exitCode === undefined;
  }

  output(): string {
    return this.#text;
  }

  /** Resolves with the milliseconds since start once the output matches, or rejects. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.#text)) {
      if (!this.running) throw new Error(`${this.name} exited before printing ${pattern}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not print ${pattern} in time`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return performance.now() - this.startedAt;
  }

  async kill(signal: Deno.Signal): Promise<number> {
    try {
      this.#process.kill(signal);
    } catch {
      // already gone
    }
    return await this.exited;
  }
}

/** `deno run -P=<set> <script> ...args` from the repository root. */
export function denoRun(
  name: string,
  permissions: string,
  script: string,
  args: string[],
  env: Record<string, string>,
  logDir: string,
): Child {
  return new Child(
    name,
    ["run", `-P=${permissions}`, script, ...args],
    env,
    `${logDir}/${name}.log`,
  );
}
