/**
 * The enumerations of the topic contracts, read from schemas/ when the module loads: the lines,
 * directions and train statuses that arrival_value.avsc documents, and the weather statuses
 * that weather_value.avsc declares. The union types are written out for the compiler;
 * contracts_test.ts checks that they equal what the schemas say.
 */
import arrivalValue from "../../schemas/arrival_value.avsc" with { type: "text" };
import weatherValue from "../../schemas/weather_value.avsc" with { type: "text" };
import { documentedValues, enumSymbols } from "./schema_json.ts";

export type Line = "red" | "blue" | "green";
/** In the schema's order, which is the order the dashboard shows them in. */
export const LINES = documentedValues(arrivalValue, "line") as readonly Line[];

export type Direction = "a" | "b";
export const DIRECTIONS = documentedValues(arrivalValue, "direction") as readonly Direction[];

export type TrainStatus = "in_service" | "out_of_service" | "broken_down";
export const TRAIN_STATUSES = documentedValues(
  arrivalValue,
  "train_status",
) as readonly TrainStatus[];

export type WeatherStatus = "sunny" | "partly_cloudy" | "cloudy" | "windy" | "precipitation";
export const WEATHER_STATUSES = enumSymbols(weatherValue, "status") as readonly WeatherStatus[];

function memberOf<T extends string>(values: readonly T[]) {
  return (value: unknown): value is T =>
    typeof value === "string" && (values as readonly string[]).includes(value);
}

export const isLine = memberOf(LINES);
export const isDirection = memberOf(DIRECTIONS);
export const isTrainStatus = memberOf(TRAIN_STATUSES);
export const isWeatherStatus = memberOf(WEATHER_STATUSES);
