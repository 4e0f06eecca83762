import assert from "node:assert/strict";
import { archivePath, classDataSharingArgs } from "./jvm.ts";

Deno.test("Java 19+ creates and refreshes the class-data archive by itself", () => {
  assert.deepEqual(classDataSharingArgs(25, "/s/jvm/registry.jsa", false), [
    "-XX:+AutoCreateSharedArchive",
    "-XX:SharedArchiveFile=/s/jvm/registry.jsa",
  ]);
  assert.deepEqual(
    classDataSharingArgs(21, "/a.jsa", true),
    classDataSharingArgs(21, "/a.jsa", false),
  );
});

Deno.test("Java 13-18 writes the archive on the first run and maps it afterwards", () => {
  assert.deepEqual(classDataSharingArgs(17, "/s/jvm/kafka.jsa", false), [
    "-XX:ArchiveClassesAtExit=/s/jvm/kafka.jsa",
  ]);
  assert.deepEqual(classDataSharingArgs(17, "/s/jvm/kafka.jsa", true), [
    "-XX:SharedArchiveFile=/s/jvm/kafka.jsa",
  ]);
  assert.deepEqual(classDataSharingArgs(11, "/a.jsa", true), []);
});

Deno.test("each service has its own archive under the stack directory", () => {
  assert.equal(archivePath("/tmp/stack", "kafka-2"), "/tmp/stack/jvm/kafka-2.jsa");
});
