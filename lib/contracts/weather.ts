/**
 * weather: hourly readings, which the simulation posts to the REST proxy as
 * `application/vnd.kafka.avro.v2+json` with both schemas; the proxy registers them and writes
 * the Confluent wire format.
 */
import keySchema from "../../schemas/weather_key.avsc" with { type: "text" };
import valueSchema from "../../schemas/weather_value.avsc" with { type: "text" };
import { avroPart, type AvroTopicContract } from "./contract.ts";
import { isWeatherStatus, type WeatherStatus } from "./enums.ts";
import { finite, object, oneOf } from "./shape.ts";

export interface WeatherKey {
  /** Milliseconds since the epoch. */
  timestamp: number;
}

export interface WeatherValue {
  /** Degrees Fahrenheit. */
  temperature: number;
  status: WeatherStatus;
}

function checkKey(decoded: unknown): WeatherKey {
  const k = object(decoded, "weather key");
  // A long may be decoded as a bigint.
  return {
    timestamp: typeof k.timestamp === "bigint" ? Number(k.timestamp) : finite(k, "timestamp"),
  };
}

function checkValue(decoded: unknown): WeatherValue {
  const v = object(decoded, "weather value");
  return { temperature: finite(v, "temperature"), status: oneOf(v, "status", isWeatherStatus) };
}

export const WEATHER: AvroTopicContract<WeatherKey, WeatherValue> = {
  name: "weather",
  compacted: false,
  key: avroPart(keySchema, checkKey),
  value: avroPart(valueSchema, checkValue),
};
