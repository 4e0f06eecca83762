/**
 * kafkajs as every module of the project imports it: deno.json maps "kafkajs" here, and this
 * installs the project's fixes to kafkajs before any of kafkajs is evaluated, whichever module
 * of an entry point happens to import it first.
 */
import "./kafkajs_speedups/install.ts";
import "./kafkajs_compaction_fix.ts";
import "./kafkajs_aborted_filter.ts";
import "./kafkajs_timer_fix.ts";
import "./kafkajs_transaction_partitions.ts";

export * from "kafkajs-upstream";
export { default } from "kafkajs-upstream";
