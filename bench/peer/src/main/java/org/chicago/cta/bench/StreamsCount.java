package org.chicago.cta.bench;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The Kafka Streams peer of the turnstile summary: a count of turnstile events per station with
 * processing.guarantee=exactly_once_v2. Started by bench/summary_bench.ts as
 *
 *   java -cp "classes:libs/*" org.chicago.cta.bench.StreamsCount BOOTSTRAP INPUT OUTPUT APP_ID STATE_DIR [COMMIT_MS]
 *
 * and by bench/pixel_bench.ts (BENCH_PIXEL_STREAMS=1), where COMMIT_MS sets commit.interval.ms.
 */
public final class StreamsCount {
  private static final int CONFLUENT_HEADER_BYTES = 5;

  /** The first field of the Avro value, station_id: an int, zig-zag varint encoded. */
  static int stationId(byte[] value) {
    int raw = 0;
    int shift = 0;
    for (int i = CONFLUENT_HEADER_BYTES; ; i++) {
      int b = value[i] & 0xff;
      raw |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) break;
      shift += 7;
    }
    return (raw >>> 1) ^ -(raw & 1);
  }

  static Topology topology(String input, String output) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(input, Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()))
        .groupBy((k, v) -> stationId(v), Grouped.with(Serdes.Integer(), Serdes.ByteArray()))
        .count()
        .toStream()
        .to(output, Produced.with(Serdes.Integer(), Serdes.Long()));
    return builder.build();
  }

  public static void main(String[] args) throws InterruptedException {
    if (args.length != 5 && args.length != 6) {
      System.err.println("usage: StreamsCount BOOTSTRAP INPUT OUTPUT APP_ID STATE_DIR [COMMIT_MS]");
      System.exit(2);
    }
    Properties props = new Properties();
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, args[3]);
    props.put(StreamsConfig.STATE_DIR_CONFIG, args[4]);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    if (args.length == 6) {
      props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Integer.parseInt(args[5]));
    }

    KafkaStreams streams = new KafkaStreams(topology(args[1], args[2]), props);
    CountDownLatch stopped = new CountDownLatch(1);
    streams.setStateListener((now, before) -> {
      System.out.println("streams: " + before + " -> " + now);
      if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
        stopped.countDown();
      }
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      streams.close(Duration.ofSeconds(10));
      stopped.countDown();
    }));
    streams.start();
    stopped.await();
  }
}
