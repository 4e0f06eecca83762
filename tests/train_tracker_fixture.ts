/** Records for the Train Tracker test and benchmark: arrivals (Avro) and predictions (JSON). */
import type { Producer } from "kafkajs";
import { registerTopicSchemas } from "../lib/registry.ts";
import { ARRIVALS, type ArrivalValue } from "../lib/contracts/arrivals.ts";
import { type PlatformPredictions, PREDICTIONS } from "../lib/contracts/predictions.ts";
import type { Inputs } from "./dashboard_fixture.ts";

export async function produceArrivals(
  inputs: Inputs,
  producer: Producer,
  values: ArrivalValue[],
): Promise<void> {
  const topic = inputs.config.topics.arrivals;
  const ids = await registerTopicSchemas(inputs.registry, "arrivals", topic);
  await producer.send({
    topic,
    messages: values.map((v) => ({
      key: ARRIVALS.key.encoder(ids.key)({ station_id: v.station_id }),
      value: ARRIVALS.value.encoder(ids.value)(v),
    })),
  });
}

export async function producePredictions(
  inputs: Inputs,
  producer: Producer,
  boards: PlatformPredictions[],
): Promise<void> {
  await producer.send({
    topic: inputs.config.topics.predictions,
    messages: boards.map((b) => ({
      key: PREDICTIONS.key.serialize(b),
      value: PREDICTIONS.value.serialize(b),
    })),
  });
}
