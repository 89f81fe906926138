/** The worker of the bench's bare spawn-per-request baseline: answer once. */
postMessage("hello");
