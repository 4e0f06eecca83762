import assert from "node:assert/strict";
import { majorOf, parseReleaseFile, parseVersionOutput } from "./java.ts";

Deno.test("the major Java version is read from a JDK release file", () => {
  assert.equal(parseReleaseFile('IMPLEMENTOR="Eclipse Adoptium"\nJAVA_VERSION="25.0.3"\n'), 25);
  assert.equal(parseReleaseFile('JAVA_VERSION="1.8.0_402"\n'), 8);
  assert.equal(parseReleaseFile("IMPLEMENTOR=x\n"), undefined);
});

Deno.test("the major Java version is read from `java -version` output", () => {
  assert.equal(parseVersionOutput('openjdk version "17.0.15" 2025-04-15\nOpenJDK Runtime'), 17);
  assert.equal(parseVersionOutput('java version "21" 2023-09-19 LTS'), 21);
  assert.equal(parseVersionOutput("command not found"), undefined);
  assert.equal(majorOf("garbage"), undefined);
});
