// Preloaded into the server under test (NODE_OPTIONS=--expose-gc --require …): SIGUSR2 runs a full
// collection and reports memory, so a memory check compares live data rather than V8's laziness.
process.on("SIGUSR2", () => {
  global.gc();
  global.gc();
  const m = process.memoryUsage();
  const mib = (n) => (n / 1048576).toFixed(1);
  process.stderr.write(`gc-done rss=${mib(m.rss)} heapUsed=${mib(m.heapUsed)} external=${mib(m.external)}\n`);
});
