import assert from "node:assert/strict";
import { AVRO_V2, weatherBody, weatherPoster, WeatherPostError } from "./weather_post.ts";
import type { WeatherReading } from "./weather.ts";

const reading: WeatherReading = { timestamp: 1_795_737_600_000, temperature: 40, status: "windy" };

function scripted(answers: (Response | Error)[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchStub = (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), init: init! });
    const next = answers.shift()!;
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  return { calls, fetch: fetchStub as typeof fetch };
}

function clock() {
  let time = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => time,
    sleep: (ms: number) => {
      sleeps.push(ms);
      time += ms;
      return Promise.resolve();
    },
  };
}

const policy = { budgetMs: 3_000, firstDelayMs: 250, maxDelayMs: 1_000 };
const ok = () => new Response(JSON.stringify({ offsets: [{ partition: 0, offset: 1 }] }));

Deno.test("the body carries both schemas and records keyed by the timestamp", () => {
  const body = JSON.parse(weatherBody([reading]));
  assert.equal(JSON.parse(body.key_schema).name, "weather_key");
  assert.equal(JSON.parse(body.value_schema).name, "weather_value");
  assert.deepEqual(body.records, [{
    key: { timestamp: reading.timestamp },
    value: { temperature: 40, status: "windy" },
  }]);
});

Deno.test("posts to /topics/<topic> with the Avro v2 content type", async () => {
  const stub = scripted([ok()]);
  await weatherPoster("http://proxy:8082/", "test.weather", policy, { fetch: stub.fetch })([
    reading,
  ]);
  assert.equal(stub.calls.length, 1);
  assert.equal(stub.calls[0].url, "http://proxy:8082/topics/test.weather");
  assert.equal((stub.calls[0].init.headers as Record<string, string>)["content-type"], AVRO_V2);
});

Deno.test("network errors and 5xx are retried with a growing, bounded backoff", async () => {
  const stub = scripted([
    new TypeError("connection refused"),
    new Response("busy", { status: 503 }),
    new TypeError("connection reset"),
    ok(),
  ]);
  const time = clock();
  const lines: string[] = [];
  await weatherPoster("http://p", "w", { ...policy, maxDelayMs: 600 }, {
    fetch: stub.fetch,
    ...time,
    log: (l) => lines.push(l),
  })([reading]);
  assert.equal(stub.calls.length, 4);
  assert.deepEqual(time.sleeps, [250, 500, 600]);
  assert.equal(lines.length, 3);
  assert.match(lines[1], /503/);
});

Deno.test("gives up with a clear error once the budget is spent", async () => {
  const stub = scripted(Array.from({ length: 20 }, () => new TypeError("connection refused")));
  const time = clock();
  await assert.rejects(
    weatherPoster("http://p", "w", policy, { fetch: stub.fetch, ...time, log: () => {} })([
      reading,
    ]),
    (error: Error) => error instanceof WeatherPostError && /gave up.*refused/.test(error.message),
  );
  assert.ok(time.now() <= policy.budgetMs);
});

Deno.test("a 4xx answer is not retried", async () => {
  const stub = scripted([new Response('{"error_code":42201}', { status: 422 }), ok()]);
  await assert.rejects(
    weatherPoster("http://p", "w", policy, { fetch: stub.fetch, ...clock() })([reading]),
    /422/,
  );
  assert.equal(stub.calls.length, 1);
});

Deno.test("records the proxy could not write yet are retried alone; refused ones fail", async () => {
  const second = { ...reading, timestamp: reading.timestamp + 3_600_000 };
  const partly = {
    offsets: [
      { partition: 0, offset: 5, error_code: null, error: null },
      { partition: null, offset: null, error_code: 50003, error: "not the leader" },
    ],
  };
  const stub = scripted([new Response(JSON.stringify(partly)), ok()]);
  await weatherPoster("http://p", "w", policy, { fetch: stub.fetch, ...clock(), log: () => {} })(
    [reading, second],
  );
  assert.equal(stub.calls.length, 2);
  const retried = JSON.parse(String(stub.calls[1].init.body)).records;
  assert.deepEqual(retried.map((r: { key: { timestamp: number } }) => r.key.timestamp), [
    second.timestamp,
  ]);

  const refused = { offsets: [{ partition: null, offset: null, error_code: 50002, error: "bad" }] };
  const stub2 = scripted([new Response(JSON.stringify(refused)), ok()]);
  await assert.rejects(
    weatherPoster("http://p", "w", policy, { fetch: stub2.fetch, ...clock() })([reading]),
    /refused readings: bad/,
  );
  assert.equal(stub2.calls.length, 1);
});
