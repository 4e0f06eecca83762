/** A stage that does nothing until it is stopped: for tests of how stages are launched. */
setInterval(() => {}, 60_000);
console.log("idle");
